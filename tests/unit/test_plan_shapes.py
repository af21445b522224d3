"""The shapes real plans take, each on a small plan written for the test in that shape,
read by the one parser with an empty unit directory (a new office): names come back as
written, groups stay groups, posts are kept."""
from __future__ import annotations

from engine.importing import Block, UnitDirectory, parse_blocks
from engine.importing.units import GROUP


def _read(blocks: list[Block]) -> dict:
    return parse_blocks(blocks, UnitDirectory([])).to_dict()


def _by_ref(result: dict) -> dict[str, dict]:
    return {t["ref"]: t for t in result["tasks"]}


def _paragraphs(text: str) -> list[Block]:
    return [Block.paragraph(line.strip()) for line in text.strip().splitlines() if line.strip()]


def test_an_appendix_table_with_merged_cells_and_a_heading_like_data_row() -> None:
    """Columns in their own order; a vertically merged lead repeated on the next row; a
    data row whose cells hold label words never becomes a new heading; the task cell
    is the task as written, every sentence of it."""
    rows = [
        ("STT", "Nội dung công việc", "Sản phẩm", "Thời hạn", "Cơ quan chủ trì", "Phối hợp thực hiện",
         "Theo dõi, đôn đốc"),
        ("I", "Cải cách thể chế", "", "", "", "", ""),
        ("1", "Rà soát văn bản quy phạm pháp luật. Công bố danh mục hết hiệu lực.", "Danh mục", "Quý II năm 2026",
         "Sở Tư pháp", "Các cơ quan, đơn vị, địa phương", "Sở Tư pháp"),
        ("2", "Thực hiện nội dung công việc về chủ trì phối hợp", "Báo cáo", "Năm 2026", "Sở Tư pháp",
         "Sở Nội vụ", "Sở Tư pháp"),
        ("II", "Cải cách thủ tục hành chính", "", "", "", "", ""),
        ("1", "Số hóa hồ sơ thủ tục hành chính", "Kho dữ liệu", "Tháng 9/2026",
         "Các sở, ban, ngành và địa phương", "Văn phòng UBND tỉnh", "Văn phòng UBND tỉnh"),
        ("2", "Tiếp nhận hồ sơ trực tuyến", "Báo cáo", "", "Trung tâm Phục vụ hành chính công tỉnh", "", ""),
    ]
    blocks = [Block.paragraph("KẾ HOẠCH"), Block.paragraph("Cải cách hành chính năm 2026"),
              Block.paragraph("PHỤ LỤC"), *[Block.row(list(r)) for r in rows]]
    tasks = _by_ref(_read(blocks))
    assert list(tasks) == ["I.1", "I.2", "II.1", "II.2"]
    assert tasks["I.1"]["title"] == "Rà soát văn bản quy phạm pháp luật. Công bố danh mục hết hiệu lực."
    assert tasks["I.1"]["coordinators"] == ["Các cơ quan, đơn vị, địa phương"]
    assert tasks["I.2"]["lead"] == ["Sở Tư pháp"] and tasks["I.2"]["coordinators"] == ["Sở Nội vụ"]
    assert tasks["II.1"]["lead"] == ["Các sở, ban, ngành và địa phương"]
    assert tasks["II.1"]["schedule"]["due"] == ["2026-09-30"]
    assert tasks["II.2"]["schedule"] == tasks["II.1"]["schedule"]  # the merged deadline cell


def test_an_appendix_table_is_the_task_list_not_the_bodys_headings() -> None:
    body = _paragraphs("""
        KẾ HOẠCH
        Chuyển đổi số năm 2026
        I. MỤC TIÊU, NHIỆM VỤ
        1. Cải cách thể chế
        a) Mục tiêu
        b) Nhiệm vụ
        2. Hạ tầng số
    """)
    rows = [("TT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời gian hoàn thành"),
            ("1", "Nâng cấp mạng diện rộng", "Sở Khoa học và Công nghệ", "Năm 2026")]
    tasks = _read(body + [Block.row(list(r)) for r in rows])["tasks"]
    assert [t["ref"] for t in tasks] == ["1"] and tasks[0]["lead"] == ["Sở Khoa học và Công nghệ"]


def test_headings_alone_are_the_tasks_when_nothing_else_is() -> None:
    tasks = _read(_paragraphs("""
        KẾ HOẠCH
        II. NHIỆM VỤ
        1. Rà soát quy trình nội bộ
        2. Công khai thủ tục hành chính
    """))["tasks"]
    assert [t["ref"] for t in tasks] == ["1", "2"]
    assert all(t["guessed"] for t in tasks)  # marked for a person to check


def test_refs_without_a_trailing_dot_and_above_99() -> None:
    tasks = _by_ref(_read(_paragraphs("""
        II. NHIỆM VỤ
        7.1 Xây dựng cơ sở dữ liệu cán bộ
        - Đơn vị chủ trì: Sở Nội vụ
        - Thời gian hoàn thành: Quý III năm 2026
        120. Tổng kết thực hiện kế hoạch
        - Đơn vị chủ trì: Sở Nội vụ
        - Thời gian hoàn thành: Tháng 12/2026
    """)))
    assert set(tasks) == {"7.1", "120"}
    assert tasks["7.1"]["title"] == "Xây dựng cơ sở dữ liệu cán bộ"


def test_bullets_before_the_fields_describe_one_task() -> None:
    """ "- A; - B; fields; - C; fields": A and B are one task's points, C another task."""
    tasks = _by_ref(_read(_paragraphs("""
        II. NHIỆM VỤ
        4. Nâng cao năng lực đội ngũ
        - Bồi dưỡng kỹ năng soạn thảo văn bản.
        - Nâng cao ý thức trách nhiệm của công chức.
        Đơn vị thực hiện: Các sở, ngành, UBND cấp xã.
        Thời gian thực hiện: Thường xuyên.
        - Tổ chức tập huấn chuyên sâu.
        Đơn vị chủ trì: Sở Tư pháp.
        Thời gian thực hiện: Năm 2026.
    """)))
    assert list(tasks) == ["4.1", "4.2"]
    assert tasks["4.1"]["title"].startswith("Bồi dưỡng kỹ năng soạn thảo văn bản")
    assert "Nâng cao ý thức" in tasks["4.1"]["content"]
    assert tasks["4.1"]["lead"] == ["Các sở, ngành", "UBND cấp xã"]
    assert tasks["4.2"]["lead"] == ["Sở Tư pháp"]


def test_sub_points_that_share_one_block_of_fields_are_the_items_own() -> None:
    tasks = _by_ref(_read(_paragraphs("""
        II. NỘI DUNG
        3. Kiểm tra, giám sát công tác bầu cử
        3.1. Tham gia các đoàn kiểm tra của cấp trên.
        3.2. Tiếp nhận, giải đáp kiến nghị của cử tri.
        3.3. Tổng hợp, báo cáo kết quả.
        - Thời gian thực hiện: Tháng 3/2026.
        - Đơn vị chủ trì: Đồng chí Phó Chủ tịch Thường trực
        - Đơn vị phối hợp: Các đồng chí Chuyên viên cơ quan Mặt trận xã.
    """)))
    assert list(tasks) == ["3"]
    assert tasks["3"]["title"] == "Kiểm tra, giám sát công tác bầu cử"
    assert "Tiếp nhận, giải đáp" in tasks["3"]["content"]


def test_posts_and_persons_are_kept_as_leads() -> None:
    tasks = _read(_paragraphs("""
        II. NHIỆM VỤ
        1. Lập danh sách cử tri
        - Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và Phản biện xã hội
        - Đơn vị phối hợp: Các đ/c Phó chủ tịch, Trưởng đoàn thể xã, Công chức Tư pháp - Hộ tịch xã.
        - Thời gian: Tháng 1/2026.
    """))["tasks"]
    assert tasks[0]["lead"] == ["Đồng chí Phó chủ tịch Thường trực"]
    assert tasks[0]["coordinators"] == ["Các đ/c Phó chủ tịch", "Trưởng đoàn thể xã", "Công chức Tư pháp - Hộ tịch xã"]


def test_unknown_names_come_back_whole_and_groups_stay_groups() -> None:
    result = parse_blocks(_paragraphs("""
        II. NHIỆM VỤ
        1. Thực hiện chế độ tài chính
        - Cơ quan chủ trì: Các cơ quan, đơn vị trực tiếp sử dụng ngân sách nhà nước
        - Cơ quan phối hợp: Cơ quan quản lý cấp trên; Trung tâm Xúc tiến đầu tư, thương mại và du lịch tỉnh
        - Thời gian: Hằng năm.
    """), UnitDirectory([]))
    task = result.tasks[0]
    assert [(u.name, u.kind) for u in task.lead] == [("Các cơ quan, đơn vị trực tiếp sử dụng ngân sách nhà nước", GROUP)]
    assert [u.name for u in task.coordinators] == [
        "Cơ quan quản lý cấp trên", "Trung tâm Xúc tiến đầu tư, thương mại và du lịch tỉnh"]


def test_the_monitor_is_the_unit_charged_with_following_not_one_that_reports() -> None:
    plan = _read(_paragraphs("""
        II. NHIỆM VỤ
        1. Rà soát quy trình
        - Đơn vị chủ trì: Sở Nội vụ
        - Thời gian: Năm 2026.
        III. TỔ CHỨC THỰC HIỆN
        1. Các cơ quan, đơn vị, địa phương báo cáo kết quả về Sở Tư pháp để tổng hợp.
        2. Giao Sở Tư pháp theo dõi, đôn đốc, tổng hợp, báo cáo UBND tỉnh.
    """))["plan"]
    assert plan["monitor"] == "Sở Tư pháp"


def test_the_monitor_under_a_heading_that_names_it() -> None:
    plan = _read(_paragraphs("""
        II. NHIỆM VỤ
        1. Rà soát quy trình
        - Đơn vị chủ trì: Văn phòng
        - Thời gian: Năm 2026.
        III. TỔ CHỨC THỰC HIỆN
        1. Ban Thường trực
        - Chỉ đạo chung.
        2. Cán bộ phụ trách lĩnh vực giám sát và phản biện xã hội
        - Tham mưu ban hành Kế hoạch; theo dõi, đôn đốc việc thực hiện Kế hoạch.
    """))["plan"]
    assert plan["monitor"] == "Cán bộ phụ trách lĩnh vực giám sát và phản biện xã hội"


def test_a_monitor_whose_head_is_named_by_post() -> None:
    plan = _read(_paragraphs("""
        II. NHIEM VU
        1. Ra soat quy trinh
        - Don vi chu tri: Phong Tong hop
        - Thoi gian: Nam 2026.
        III. TO CHUC THUC HIEN
        3. Truong phong Hanh chinh - To chuc co trach nhiem theo doi, don doc, bao cao lanh dao.
    """))["plan"]
    assert plan["monitor"] == "Phong Hanh chinh - To chuc"


def test_a_decision_whose_plan_follows_its_signature() -> None:
    result = _read(_paragraphs("""
        QUYẾT ĐỊNH
        Ban hành Kế hoạch chuyển đổi số năm 2026
        Điều 1. Ban hành kèm theo Quyết định này Kế hoạch chuyển đổi số năm 2026.
        Điều 2. Quyết định này có hiệu lực kể từ ngày ký./.
        Nơi nhận:
        - Như Điều 2;
        - Lưu: VT.
        KẾ HOẠCH
        Chuyển đổi số năm 2026
        I. NHIỆM VỤ
        1. Số hóa hồ sơ lưu trữ
        - Cơ quan chủ trì: Sở Nội vụ
        - Thời gian hoàn thành: Quý III năm 2026
    """))
    assert [t["ref"] for t in result["tasks"]] == ["1"]
    assert result["tasks"][0]["lead"] == ["Sở Nội vụ"]
    assert result["plan"]["title"] == "Chuyển đổi số năm 2026"


FLATTENED = """|
**ỦY BAN NHÂN DÂN**
TỈNH THỬ NGHIỆM
|
**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**
|
|
Số: 21/KH-UBND
|
*Thử Nghiệm, ngày 3
tháng 2 năm 2026*
|

**KẾ HOẠCH**

Chuyển đổi số năm 2026

**I. MỤC ĐÍCH**

Nâng cao hiệu quả quản lý.

|
**STT**
|
**Nhiệm vụ**
|
**Đơn vị chủ trì**
|
**Đơn vị phối hợp**
|
**Thời gian thực
hiện**
|
|
**I**
|
**Hạ tầng số**
|
|
1.1
|
Nâng cấp mạng diện rộng của tỉnh
|
Sở Khoa học và
Công nghệ
|
|
Quý II năm 2026
|
|
1.2
|
Số hóa hồ sơ lưu trữ
|
Sở Nội vụ
|
Các sở, ban,
ngành
|
Năm 2026
|
|
"""


def test_a_table_flattened_one_cell_per_line(tmp_path) -> None:
    """A Word table converted to text: each cell, then a line holding "|"; a blank cell
    (the coordinating unit of 1.1) does not split its row."""
    from adapters.readers import read_blocks

    path = tmp_path / "flattened.md"
    path.write_text(FLATTENED, encoding="utf-8")
    result = parse_blocks(read_blocks(path), UnitDirectory([])).to_dict()
    tasks = _by_ref(result)
    assert list(tasks) == ["1.1", "1.2"]
    assert tasks["1.1"]["lead"] == ["Sở Khoa học và Công nghệ"] and tasks["1.1"]["coordinators"] == []
    assert tasks["1.1"]["schedule"]["due"] == ["2026-06-30"]
    assert tasks["1.2"]["coordinators"] == ["Các sở, ban, ngành"]
    assert (result["plan"]["number"], result["plan"]["issued_on"]) == ("21/KH-UBND", "2026-02-03")


def test_assignments_written_as_sentences() -> None:
    tasks = _by_ref(_read(_paragraphs("""
        II. NHIỆM VỤ
        1. Giao Sở Tài chính chủ trì, phối hợp với Sở Nội vụ và các cơ quan liên quan bố trí kinh phí thực hiện Kế hoạch, hoàn thành trước ngày 30/6/2026.
        2. Sở Khoa học và Công nghệ chủ trì tham mưu UBND tỉnh ban hành quy chế chia sẻ dữ liệu; thực hiện trong quý III năm 2026.
    """)))
    assert tasks["1"]["lead"] == ["Sở Tài chính"]
    assert tasks["1"]["coordinators"] == ["Sở Nội vụ", "các cơ quan liên quan"]
    assert tasks["1"]["schedule"]["due"] == ["2026-06-30"]
    assert tasks["2"]["lead"] == ["Sở Khoa học và Công nghệ"]
    assert tasks["2"]["schedule"]["due"] == ["2026-09-30"]


def test_units_as_headings_with_their_tasks_beneath() -> None:
    tasks = _by_ref(_read(_paragraphs("""
        IV. PHÂN CÔNG TRÁCH NHIỆM
        1. Sở Nội vụ:
        - Hướng dẫn các cơ quan rà soát vị trí việc làm.
        - Tổng hợp, báo cáo kết quả hằng năm.
        2. Công an tỉnh
        a) Tổ chức tập huấn nghiệp vụ cho lực lượng cơ sở.
        b) Phối hợp với Sở Y tế quản lý người sau cai nghiện.
    """)))
    assert list(tasks) == ["1.1", "1.2", "2.a", "2.b"]
    assert tasks["1.1"]["lead"] == ["Sở Nội vụ"] and tasks["2.b"]["lead"] == ["Công an tỉnh"]
    assert tasks["1.2"]["schedule"]["kind"] == "periodic"


def test_labelled_fields_are_surer_than_sentences() -> None:
    """In a plan whose tasks carry fields, a paragraph that happens to say "X chủ trì"
    is no task of its own."""
    tasks = _read(_paragraphs("""
        II. NHIỆM VỤ
        1. Rà soát thủ tục hành chính
        - Cơ quan chủ trì: Văn phòng UBND tỉnh
        - Thời gian: Quý I năm 2026
        2. Sở Nội vụ chủ trì tổng hợp ý kiến các cơ quan.
    """))["tasks"]
    assert [t["ref"] for t in tasks] == ["1"]


def test_a_labelled_name_of_no_known_shape_is_kept_as_written() -> None:
    """A lead or coordinating label names units: an enterprise's branch or a working
    group the directory does not know comes back as written (new), never dropped; a
    phrase that names no one ("Theo phân cấp") is no unit."""
    tasks = _by_ref(_read(_paragraphs("""
        KẾ HOẠCH
        Phủ sóng vùng biên năm 2027
        I. NHIỆM VỤ
        1. Lắp trạm phát sóng
        - Đơn vị chủ trì: Viettel Quảng Trị
        - Đơn vị phối hợp: VNPT Quảng Trị; Tổ công tác liên ngành
        - Thời gian: Quý II/2027
        2. Cấp phép xây dựng trạm
        - Đơn vị chủ trì: Theo phân cấp
        - Thời gian: Quý I/2027
    """)))
    assert tasks["1"]["lead"] == ["Viettel Quảng Trị"]
    assert tasks["1"]["coordinators"] == ["VNPT Quảng Trị", "Tổ công tác liên ngành"]
    assert tasks["2"]["lead"] == []
