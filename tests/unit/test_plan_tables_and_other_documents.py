"""Appendix tables that real conversions damage, tables that are not task lists, and a
document that is no plan, each written for the test in that shape."""
from __future__ import annotations

import pytest

from engine.importing import Block, NoTaskFound, UnitDirectory, parse_blocks
from engine.importing.errors import NO_TASK, NOT_A_PLAN


def _tasks(blocks: list[Block]) -> dict[str, dict]:
    return {t["ref"]: t for t in parse_blocks(blocks, UnitDirectory([])).to_dict()["tasks"]}


def test_a_heading_row_that_ran_into_the_text_before_it() -> None:
    """A table flattened one cell per line with no blank cell before it: the plan's last
    words, its signature and the appendix's title run into its heading row; the
    heading begins at its STT cell and the rows below line up with it. A second
    appendix's heading runs into the last row of the first."""
    blocks = [
        Block.paragraph("KẾ HOẠCH"),
        Block.row(["Số: 7/KH-UBND", "Các đơn vị triển khai thực hiện nghiêm túc Kế hoạch này./.",
                   "Nơi nhận: - Như trên; - Lưu: VT.", "KT. CHỦ TỊCH PHÓ CHỦ TỊCH", "PHỤ LỤC I DANH MỤC NHIỆM VỤ",
                   "STT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"]),
        Block.row(["1", "Lập danh mục điểm ngập", "Sở Xây dựng", "UBND cấp xã", "Tháng 4/2027"]),
        Block.row(["2", "Diễn tập sơ tán dân", "Bộ Chỉ huy Quân sự tỉnh", "Công an tỉnh", "Quý III/2027",
                   "PHỤ LỤC II NHIỆM VỤ THƯỜNG XUYÊN", "TT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời gian"]),
        Block.row(["1", "Trực ban phòng chống thiên tai", "Văn phòng Ban Chỉ huy", "Thường xuyên"]),
        Block.row(["Địa chỉ:", "12 đường Trần Phú", "Điện thoại:", "0123 456 789"]),  # the page's footer
    ]
    tasks = parse_blocks(blocks, UnitDirectory([])).to_dict()["tasks"]
    assert [(t["ref"], t["title"], [u for u in t["lead"]]) for t in tasks] == [
        ("1", "Lập danh mục điểm ngập", ["Sở Xây dựng"]),
        ("2", "Diễn tập sơ tán dân", ["Bộ Chỉ huy Quân sự tỉnh"]),
        ("1", "Trực ban phòng chống thiên tai", ["Văn phòng Ban Chỉ huy"]),
    ]
    assert tasks[1]["schedule"]["due"] == ["2027-09-30"] and tasks[2]["schedule"]["kind"] == "ongoing"


@pytest.mark.parametrize("indicator", ["Chỉ tiêu", "Tên chỉ tiêu", "CHỈ TIÊU ĐẾN NĂM 2030"])
def test_a_table_of_targets_is_no_task_list(indicator: str) -> None:
    """"TT | Chỉ tiêu | Đơn vị tính | Kết quả | Cơ quan theo dõi": targets to reach, each
    with the unit that follows it; the plan's tasks are in its other table."""
    blocks = [
        Block.paragraph("KẾ HOẠCH"), Block.paragraph("Chuyển đổi số năm 2027"),
        Block.row(["TT", indicator, "Đơn vị tính", "Kết quả", "Cơ quan chủ trì theo dõi"]),
        Block.row(["1", "Tỷ lệ hồ sơ trực tuyến", "%", "80%", "Sở Khoa học và Công nghệ"]),
        Block.row(["2", "Tỷ lệ người dân có chữ ký số", "%", "60%", "Công an tỉnh"]),
        Block.row(["TT", "Nhiệm vụ, chỉ tiêu", "Đơn vị chủ trì", "Thời hạn"]),
        Block.row(["1", "Nâng cấp cổng dịch vụ công", "Văn phòng UBND tỉnh", "Tháng 6/2027"]),
    ]
    tasks = _tasks(blocks)
    assert [t["title"] for t in tasks.values()] == ["Nâng cấp cổng dịch vụ công"]


def test_the_measure_column_is_no_lead_and_a_mis_spelt_target_still_is_content() -> None:
    from engine.importing.labels import CONTENT, LEAD, role_of

    assert [role_of(t) for t in ("Đơn vị tính", "ĐƠN VỊ TÍNH", "Chỉ tiêu")] == [None, None, None]
    assert [role_of(t) for t in ("Mục tiêu", "Đơn vị chủ trì", "Đơn vị")] == [CONTENT, LEAD, LEAD]


def test_a_document_that_is_no_plan_says_what_it_is() -> None:
    decision = [
        Block.row(["ỦY BAN NHÂN DÂN HUYỆN AN PHÚ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]),
        Block.paragraph("QUYẾT ĐỊNH"),
        Block.paragraph("Về việc công bố danh mục thủ tục hành chính nội bộ"),
        Block.paragraph("Điều 1. Công bố kèm theo Quyết định này 03 thủ tục hành chính."),
        Block.paragraph("Điều 2. Quyết định có hiệu lực kể từ ngày ký."),
    ]
    with pytest.raises(NoTaskFound) as refused:
        parse_blocks(decision, UnitDirectory([]))
    assert (refused.value.msgid, refused.value.params) == (NOT_A_PLAN, {"kind": "QUYẾT ĐỊNH"})

    report = [Block.paragraph("BÁO CÁO:"), Block.paragraph("Kết quả công tác quý I năm 2027")]
    with pytest.raises(NoTaskFound) as refused:
        parse_blocks(report, UnitDirectory([]))
    assert refused.value.params == {"kind": "BÁO CÁO"}

    # A plan with no task found says what was looked for, not that it is no plan.
    empty_plan = [Block.paragraph("QUYẾT ĐỊNH"), Block.paragraph("Ban hành Kế hoạch"), Block.paragraph("KẾ HOẠCH"),
                  Block.paragraph("Tuyên truyền pháp luật năm 2027")]
    with pytest.raises(NoTaskFound) as refused:
        parse_blocks(empty_plan, UnitDirectory([]))
    assert refused.value.msgid == NO_TASK


def test_a_repeated_heading_that_lost_its_blank_stt_cell_keeps_the_columns() -> None:
    """Above each group (or on each page) the heading comes again; a conversion dropped
    its blank STT cell, so the repeat is one cell short: the rows keep their columns."""
    heading = ["Nội dung", "Đơn vị thực hiện", "Đơn vị phối hợp", "Thời gian thực hiện"]
    blocks = [
        Block.paragraph("KẾ HOẠCH"), Block.paragraph("Phát triển kinh tế số giai đoạn 2027 - 2030"),
        Block.row(["STT", *heading]),
        Block.row(["I", "Nông nghiệp số"]),
        Block.row(["1", "Xây dựng sàn nông sản", "Sở Nông nghiệp", "Sở Công Thương", "2027 - 2028"]),
        Block.row(["II", "Y tế số"]),
        Block.row(heading),
        Block.row(["2", "Bệnh án điện tử", "Sở Y tế", "Các bệnh viện", "Năm 2027"]),
        Block.row(["III", "Giáo dục số"]),
        Block.row(heading),
        Block.row(["3", "Học bạ số", "Sở Giáo dục và Đào tạo", "UBND cấp xã", "Năm học 2027 - 2028"]),
    ]
    tasks = _tasks(blocks)
    assert [(t["title"], t["lead"], t["coordinators"]) for t in tasks.values()] == [
        ("Xây dựng sàn nông sản", ["Sở Nông nghiệp"], ["Sở Công Thương"]),
        ("Bệnh án điện tử", ["Sở Y tế"], ["Các bệnh viện"]),
        ("Học bạ số", ["Sở Giáo dục và Đào tạo"], ["UBND cấp xã"]),
    ]
    assert [t["schedule"]["until"] for t in tasks.values()] == ["2028-12-31", None, "2028-05-31"]


def test_a_numbered_sub_heading_whose_words_fell_into_another_column_is_no_task() -> None:
    """"5.1 | (blank) | Thương mại điện tử": a sub-heading merged across the row, its
    words landed in the lead column; the numbered rows under it are the tasks."""
    blocks = [
        Block.paragraph("KẾ HOẠCH"),
        Block.row(["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời gian"]),
        Block.row(["5.1", "", "Thương mại điện tử"]),
        Block.row(["5.1.1", "Mở gian hàng trên sàn", "Sở Công Thương", "Năm 2027"]),
        Block.row(["5.2", "", "Du lịch thông minh"]),
        Block.row(["5.2.1", "Bản đồ du lịch số", "Sở Văn hóa, Thể thao và Du lịch", "Năm 2028"]),
    ]
    assert [(ref, t["lead"]) for ref, t in _tasks(blocks).items()] == [
        ("5.1.1", ["Sở Công Thương"]), ("5.2.1", ["Sở Văn hóa, Thể thao và Du lịch"])]
