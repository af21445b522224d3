"""A plan whose body describes the work without naming who does it, and whose
"Tổ chức thực hiện" section gives each unit its duties: those duties are the tasks.
Plans written for the test in that shape."""
from __future__ import annotations

from engine.importing import Block, UnitDirectory, parse_blocks

BODY = """
    KẾ HOẠCH
    Phủ sóng di động tại các cụm công nghiệp giai đoạn 2027 - 2029
    I. MỤC ĐÍCH, YÊU CẦU
    Bảo đảm kết nối cho doanh nghiệp.
    II. NỘI DUNG THỰC HIỆN
    1. Khảo sát hiện trạng
    2. Lắp đặt trạm phát sóng
    2.1. Trạm vĩ mô
    2.2. Trạm nhỏ trong nhà xưởng
    III. TỔ CHỨC THỰC HIỆN
    1. Sở Khoa học và Công nghệ
    - Chủ trì theo dõi, đôn đốc việc thực hiện Kế hoạch; trước ngày 10/12 hằng năm báo cáo UBND tỉnh.
    - Hướng dẫn doanh nghiệp về thủ tục cấp phép.
    2. Ban Quản lý các khu công nghiệp
    - Bố trí mặt bằng lắp đặt trạm, hoàn thành trong quý II năm 2027.
    3. Các doanh nghiệp viễn thông
    - Đầu tư trạm phát sóng theo lộ trình.
    Trên đây là Kế hoạch phủ sóng di động tại các cụm công nghiệp, đề nghị các đơn vị thực hiện.
"""


def _blocks(text: str) -> list[Block]:
    return [Block.paragraph(line.strip()) for line in text.strip().splitlines() if line.strip()]


def test_the_duties_each_unit_is_given_are_the_tasks() -> None:
    result = parse_blocks(_blocks(BODY), UnitDirectory([])).to_dict()
    tasks = {t["ref"]: t for t in result["tasks"]}
    assert list(tasks) == ["1.1", "1.2", "2.1", "3.1"]  # not the body's headings, not the closing words
    assert tasks["1.2"]["lead"] == ["Sở Khoa học và Công nghệ"]
    assert tasks["2.1"]["lead"] == ["Ban Quản lý các khu công nghiệp"]
    assert tasks["1.1"]["schedule"]["every"] == "P1Y" and tasks["1.1"]["schedule"]["on"] == "--12-10"
    assert tasks["2.1"]["schedule"]["due"] == ["2027-06-30"]
    assert (tasks["3.1"]["schedule"]["kind"], tasks["3.1"]["deadline_from"]) == ("ongoing", "plan")
    assert all(t["guessed"] for t in tasks.values())  # read from sentences: a person checks them
    assert result["plan"]["monitor"] == "Sở Khoa học và Công nghệ"


def test_labelled_tasks_in_the_body_come_first() -> None:
    labelled = BODY.replace("2.1. Trạm vĩ mô", "2.1. Trạm vĩ mô\n- Đơn vị chủ trì: Sở Xây dựng").replace(
        "2.2. Trạm nhỏ trong nhà xưởng", "2.2. Trạm nhỏ trong nhà xưởng\n- Đơn vị chủ trì: Ban Quản lý các khu công nghiệp")
    tasks = parse_blocks(_blocks(labelled), UnitDirectory([])).to_dict()["tasks"]
    assert [(t["ref"], t["lead"]) for t in tasks] == [
        ("2.1", ["Sở Xây dựng"]), ("2.2", ["Ban Quản lý các khu công nghiệp"])]
