"""engine.importing.units: names as plans write them, resolved through the directory."""
from __future__ import annotations

import pytest

from engine.importing import UnitDirectory
from tests.support.unit_directory import office_directory, office_entries
from engine.importing.units import GROUP, UNIT, UnitRef


@pytest.fixture(scope="module")
def directory() -> UnitDirectory:
    return office_directory()


def test_a_directory_is_plain_data() -> None:
    entries = office_entries()
    assert all(set(e) == {"name", "aliases", "kind"} and e["kind"] in (UNIT, GROUP) for e in entries)
    entries[0]["name"] = "changed"
    assert office_entries()[0]["name"] != "changed"  # a copy each time


def test_the_engine_knows_no_unit() -> None:
    """A new office: an empty directory resolves nothing, every name comes back as written."""
    assert UnitDirectory([]).resolve("VPUB") == UnitRef("VPUB", UNIT, new=True)
    assert UnitDirectory([]).resolve("Văn phòng UBND tỉnh").new


@pytest.mark.parametrize(
    "text, names",
    [
        ("Các cơ quan, đơn vị, địa phương", [("Các cơ quan, đơn vị, địa phương", GROUP)]),
        ("Các sở, ban, ngành, địa phương", [("Các sở, ban, ngành, địa phương", GROUP)]),
        ("Các sở, ban ngành và UBND cấp huyện", [("Các sở, ban ngành", GROUP), ("UBND cấp huyện", GROUP)]),
        ("UBND cấp huyện; UBND cấp xã", [("UBND cấp huyện", GROUP), ("UBND cấp xã", GROUP)]),
        ("Văn phòng UBND tỉnh và các cơ quan, đơn vị có liên quan",
         [("Văn phòng UBND tỉnh", UNIT), ("các cơ quan, đơn vị có liên quan", GROUP)]),
        ("Trung tam Cong bao va Tin hoc chu tri", [("Trung tam Cong bao va Tin hoc", UNIT)]),
        ("Céc phong, ban, don vi lién quan.", [("Céc phong, ban, don vi lién quan", GROUP)]),
    ],
)
def test_a_new_office_reads_names_whole_as_written(text: str, names: list[tuple[str, str]]) -> None:
    units, _ = UnitDirectory([]).leading_units(text)
    assert [(u.name, u.kind) for u in units] == names and all(u.new for u in units)


@pytest.mark.parametrize(
    "text, names",
    [
        ("Doanh nghiệp cấp nước; Điện lực huyện Tân Lạc", ["Doanh nghiệp cấp nước", "Điện lực huyện Tân Lạc"]),
        ("Hiệp hội Du lịch tỉnh, Bưu điện tỉnh", ["Hiệp hội Du lịch tỉnh", "Bưu điện tỉnh"]),
        ("Tổng công ty Cấp nước miền Trung và Hải quan cửa khẩu Lào Cai",
         ["Tổng công ty Cấp nước miền Trung", "Hải quan cửa khẩu Lào Cai"]),
    ],
)
def test_enterprises_and_associations_lead_too(text: str, names: list[str]) -> None:
    """Plans give tasks to enterprises, their associations and public utilities."""
    units, rest = UnitDirectory([]).field_units(text)
    assert ([u.name for u in units], rest) == (names, "")


@pytest.mark.parametrize(
    "written, name",
    [
        ("VPUB", "Văn phòng UBND tỉnh"),
        ("Văn phòng Ủy ban nhân dân tỉnh", "Văn phòng UBND tỉnh"),
        ("Phòng KSTTHC", "Phòng Kiểm soát thủ tục hành chính"),
        # A former name resolves to the unit's later name.
        ("Phòng Hành chính - Tổ chức", "Phòng Hành chính - Quản trị"),
        ("Trung tâm Phục vụ hành chính công tỉnh", "Trung tâm Phục vụ - Kiểm soát thủ tục hành chính tỉnh"),
    ],
)
def test_aliases(directory: UnitDirectory, written: str, name: str) -> None:
    assert directory.resolve(written) == UnitRef(name, UNIT)


@pytest.mark.parametrize(
    "written, name",
    [
        ("Phong Kiem soat TTHC", "Phòng Kiểm soát thủ tục hành chính"),
        ("So Thong tin va Truyen thong", "Sở Thông tin và Truyền thông"),
        ("Phong Hanh chinh - T6 chuc", "Phòng Hành chính - Quản trị"),
        ("Trung tdm Cong bao va Tin hgc", "Trung tâm Công báo và Tin học"),
        ("Ban Tiep cong dan tinh", "Ban Tiếp công dân tỉnh"),
    ],
)
def test_lost_diacritics_and_ocr_damage(directory: UnitDirectory, written: str, name: str) -> None:
    assert directory.resolve(written).name == name


def test_ocr_p_for_d(directory: UnitDirectory) -> None:
    assert directory.resolve("Cac phong, ban, Pon vi").name == "Các phòng, ban, đơn vị"


@pytest.mark.parametrize(
    "written",
    ["Phòng Hành chính tư pháp", "Văn phòng UBND xã", "Sở Y tế", "Trung tâm Y tế huyện"],
)
def test_unknown_names_come_back_new_as_written(directory: UnitDirectory, written: str) -> None:
    unit = directory.resolve(written)
    assert unit.new and unit.name == written


@pytest.mark.parametrize(
    "written, name",
    [
        ("Các sở, ban, ngành", "Các sở, ban ngành"),
        ("UBND cấp huyện", "UBND cấp huyện"),
        ("Ủy ban nhân dân cấp xã", "UBND cấp xã"),
        ("các cơ quan, đơn vị liên quan", "Các cơ quan, đơn vị có liên quan"),
    ],
)
def test_groups_stay_groups(directory: UnitDirectory, written: str, name: str) -> None:
    assert directory.resolve(written) == UnitRef(name, GROUP)


def test_an_unknown_group_is_a_new_group(directory: UnitDirectory) -> None:
    assert directory.resolve("Các trường học trên địa bàn") == UnitRef("Các trường học trên địa bàn", GROUP, new=True)


def test_a_list_of_names_then_what_they_do(directory: UnitDirectory) -> None:
    units, rest = directory.leading_units("Sở Tài chính, Sở Tư pháp và UBND cấp huyện phối hợp triển khai")
    assert [u.name for u in units] == ["Sở Tài chính", "Sở Tư pháp", "UBND cấp huyện"]
    assert rest == "phối hợp triển khai"


def test_and_inside_a_name_is_kept(directory: UnitDirectory) -> None:
    units, _ = directory.leading_units("Văn phòng HĐND và UBND huyện; Sở Văn hóa, Thể thao và Du lịch")
    assert [u.name for u in units] == ["Văn phòng HĐND và UBND huyện", "Sở Văn hóa, Thể thao và Du lịch"]


def test_a_damaged_role_word_ends_a_name(directory: UnitDirectory) -> None:
    units, rest = directory.leading_units("Doan Thanh nien xa phdi hop.")
    assert [u.name for u in units] == ["Doan Thanh nien xa"] and rest.startswith("phdi hop")


def test_words_that_name_no_unit_are_not_units(directory: UnitDirectory) -> None:
    units, _ = directory.leading_units("tổ chức, cá nhân có liên quan")
    assert units == []


@pytest.mark.parametrize(
    "written, title",
    [
        ("Chanh Vin phong.", "Chánh Văn phòng"),
        ("Lanh dao Van phong", "Lãnh đạo Văn phòng"),
        ("Pho Chanh Van phong - Truong Ban Tiep cong dan", "Phó Chánh Văn phòng - Trưởng Ban Tiếp công dân tỉnh"),
        ("Giám đốc Trung tâm Y tế", "Giám đốc Trung tâm Y tế"),
    ],
)
def test_directors(directory: UnitDirectory, written: str, title: str) -> None:
    assert directory.director(written) == title


@pytest.mark.parametrize(
    "text, names, rest",
    [
        ("Trung tâm Công nghệ thông tin và Truyền thông", ["Trung tâm Công nghệ thông tin và Truyền thông"], ""),
        ("Phong Buu chinh - Vien thong.", ["Phong Buu chinh - Vien thong"], ""),  # OCR lost the diacritics
        ("Viện Nghiên cứu phát triển kinh tế - xã hội", ["Viện Nghiên cứu phát triển kinh tế - xã hội"], ""),
        ("Phòng Công chức, viên chức chủ trì", ["Phòng Công chức, viên chức"], "chủ trì"),
        ("Các cơ quan chuyên môn thuộc UBND huyện", ["Các cơ quan chuyên môn thuộc UBND huyện"], ""),
        ("Phòng Nội vụ huyện là cơ quan thường trực", ["Phòng Nội vụ huyện"], "là cơ quan thường trực"),
        ("Phòng Tư pháp, tham mưu", ["Phòng Tư pháp"], "tham mưu"),
    ],
)
def test_names_of_district_and_department_units(text: str, names: list[str], rest: str) -> None:
    units, after = office_directory().leading_units(text)
    assert [u.name for u in units] == names and after == rest
