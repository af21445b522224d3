"""Where a task's deadline is read when its plan gives it no deadline field: its own
sentence, the heading it is under, or the plan's own time (stated in the body, else in
the title). Each on a small plan written for the test in that shape; the task keeps a
mark of where the time came from, for the review page."""
from __future__ import annotations

from engine.importing import Block, UnitDirectory, parse_blocks
from engine.importing.draft import from_result


def _paragraphs(text: str) -> list[Block]:
    return [Block.paragraph(line.strip()) for line in text.strip().splitlines() if line.strip()]


def _tasks(text: str, rows: list[tuple[str, ...]] = ()) -> dict[str, dict]:
    blocks = _paragraphs(text) + [Block.row(list(r)) for r in rows]
    return {t["ref"]: t for t in parse_blocks(blocks, UnitDirectory([])).to_dict()["tasks"]}


def _when(task: dict) -> tuple:
    s = task["schedule"]
    return s["kind"], s["due"], s["until"], s.get("start"), task["deadline_from"]


def test_tasks_without_a_time_run_through_the_time_the_body_states() -> None:
    tasks = _tasks("""
        KẾ HOẠCH
        Phòng, chống thiên tai trên địa bàn huyện
        I. MỤC ĐÍCH, YÊU CẦU
        1. Mục đích
        Chủ động ứng phó.
        II. PHẠM VI, ĐỐI TƯỢNG VÀ THỜI GIAN
        1. Phạm vi: toàn huyện.
        2. Thời gian thực hiện: Từ tháng 3/2027 đến hết năm 2027.
        III. NHIỆM VỤ
        1. Phòng Nông nghiệp
        - Rà soát các điểm sạt lở ven sông.
        - Tổng hợp thiệt hại, hoàn thành trước ngày 15/11/2027.
        2. Trung tâm Y tế huyện
        - Chuẩn bị thuốc dự phòng.
    """)
    assert _when(tasks["1.1"]) == ("ongoing", [], "2027-12-31", "2027-03-01", "plan")
    assert _when(tasks["2.1"]) == _when(tasks["1.1"])
    assert _when(tasks["1.2"])[:2] == ("once", ["2027-11-15"])  # its own sentence says when
    assert "2." not in tasks and "II.2" not in tasks  # the plan's time is no task


def test_the_plans_time_as_a_section_of_its_own() -> None:
    tasks = _tasks("""
        KẾ HOẠCH
        Tuyên truyền an toàn giao thông
        I. NHIỆM VỤ
        1. Tổ chức hội nghị tuyên truyền
        - Đơn vị chủ trì: Công an xã
        2. In tờ rơi
        - Đơn vị chủ trì: Văn phòng UBND xã
        - Thời gian: Tháng 7/2027
        II. THỜI GIAN THỰC HIỆN
        Thường xuyên, liên tục trong năm 2027.
        III. TỔ CHỨC THỰC HIỆN
        Văn phòng UBND xã theo dõi, đôn đốc.
    """)
    assert _when(tasks["1"]) == ("ongoing", [], "2027-12-31", None, "plan")
    assert _when(tasks["2"]) == ("once", ["2027-07-31"], None, None, "")


def test_the_titles_period_when_the_body_states_no_time() -> None:
    body = """
        KẾ HOẠCH
        Phát triển du lịch cộng đồng {period}
        I. NHIỆM VỤ
        1. Xây dựng sản phẩm du lịch
        - Đơn vị chủ trì: Phòng Văn hóa - Thông tin
    """
    five_years = _tasks(body.format(period="giai đoạn 2027 - 2031"))["1"]
    assert _when(five_years) == ("ongoing", [], "2031-12-31", None, "plan")
    assert five_years["deadline_text"] == "giai đoạn 2027 - 2031"
    one_year = _tasks(body.format(period="năm 2028"))["1"]
    assert _when(one_year) == ("ongoing", [], "2028-12-31", None, "plan")
    # A directive's date in the title is not the plan's time: a person sets the deadline.
    directive = _tasks(body.format(period="thực hiện Chỉ thị số 05/CT-UBND ngày 10/02/2028"))["1"]
    assert _when(directive)[0] == "unresolved" and directive["deadline_from"] == ""


def test_sub_items_take_the_time_of_the_heading_they_are_under() -> None:
    tasks = _tasks("""
        KẾ HOẠCH
        Chuyển đổi số năm 2027
        I. NHIỆM VỤ
        1. Các nhiệm vụ hoàn thành trong quý III năm 2027
        a) Số hóa sổ hộ tịch
        - Đơn vị chủ trì: Phòng Tư pháp
        b) Cấp chữ ký số cho cán bộ
        - Đơn vị chủ trì: Văn phòng UBND
        2. Nâng cấp mạng nội bộ
        - Thời gian: Tháng 10/2027
        2.1. Thay thiết bị chuyển mạch
        - Đơn vị chủ trì: Trung tâm Công nghệ thông tin
        2.2. Kiểm tra an toàn thông tin
        - Đơn vị chủ trì: Công an huyện
        - Thời gian: Tháng 11/2027
    """)
    assert _when(tasks["1.a"]) == ("once", ["2027-09-30"], None, None, "group")
    assert _when(tasks["1.b"]) == _when(tasks["1.a"])
    assert _when(tasks["2.1"]) == ("once", ["2027-10-31"], None, None, "group")
    assert _when(tasks["2.2"]) == ("once", ["2027-11-30"], None, None, "")


def test_a_labelled_task_whose_sentence_says_when() -> None:
    tasks = _tasks("""
        KẾ HOẠCH
        Công tác văn thư năm 2027
        I. NHIỆM VỤ
        1. Chỉnh lý tài liệu tồn đọng, hoàn thành trong tháng 5/2027
        - Đơn vị chủ trì: Văn phòng
        2. Thường xuyên kiểm tra việc lập hồ sơ công việc
        - Đơn vị chủ trì: Văn phòng
    """)
    assert _when(tasks["1"]) == ("once", ["2027-05-31"], None, None, "text")
    assert _when(tasks["2"]) == ("ongoing", [], "2027-12-31", None, "text")


def test_table_tasks_with_a_blank_time_and_the_review_marks() -> None:
    text = """
        KẾ HOẠCH
        Cải cách thủ tục hành chính
        I. THỜI GIAN THỰC HIỆN
        Từ nay đến hết năm 2027.
        PHỤ LỤC
    """
    rows = [("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"),
            ("1", "Rà soát thủ tục", "Sở Tư pháp", ""),
            ("2", "Công bố thủ tục", "Văn phòng UBND tỉnh", "Quý II/2027")]
    blocks = _paragraphs(text) + [Block.row(list(r)) for r in rows]
    result = parse_blocks(blocks, UnitDirectory([]))
    tasks = {t.ref: t for t in result.tasks}
    assert tasks["1"].schedule.kind == "ongoing" and tasks["1"].schedule.until.isoformat() == "2027-12-31"
    assert tasks["2"].schedule.due[0].isoformat() == "2027-06-30"
    flags = {t["ref"]: t["flags"] for t in from_result(result, {}, "plan.docx", None).tasks}
    assert "deadline_from_plan" in flags["1"] and not any(f.startswith("deadline_from") for f in flags["2"])


def test_a_table_group_rows_time_is_its_tasks_when_their_cell_is_blank() -> None:
    rows = [("STT", "Nội dung", "Cơ quan chủ trì", "Thời hạn"),
            ("I", "Nhiệm vụ hoàn thành trong năm đầu", "", "Năm 2027"),
            ("1", "Ban hành quy chế phối hợp", "Sở Nội vụ", ""),
            ("2", "Kiện toàn tổ công tác", "Văn phòng UBND tỉnh", "Quý II/2027"),
            ("II", "Nhiệm vụ cả giai đoạn", "", ""),
            ("1", "Kiểm tra việc thực hiện", "Sở Nội vụ", "")]
    tasks = _tasks("KẾ HOẠCH\nKiểm tra công vụ\nPHỤ LỤC", rows)
    assert _when(tasks["I.1"]) == ("once", ["2027-12-31"], None, None, "group")
    assert _when(tasks["I.2"]) == ("once", ["2027-06-30"], None, None, "")
    assert _when(tasks["II.1"])[0] == "unresolved"  # no time anywhere: a person sets it


def test_a_sentence_tasks_time_is_marked_as_read_from_its_text() -> None:
    tasks = _tasks("""
        KẾ HOẠCH
        Vệ sinh môi trường năm 2027
        I. NHIỆM VỤ
        1. Giao Phòng Tài nguyên chủ trì, phối hợp với Công an xã kiểm tra bãi rác, hoàn thành trước ngày 30/9/2027.
    """)
    assert _when(tasks["1"]) == ("once", ["2027-09-30"], None, None, "text")
