"""A test office's unit directory, as plain data: the units of a provincial People's
Committee office and the groups its plans assign work to (renamed units keep their
former names as aliases). The engine holds no unit names: tests that need a known
directory pass this one, as an office passes its stored units."""
from __future__ import annotations

from copy import deepcopy

from engine.importing import UnitDirectory

UNITS: list[dict] = [
    {"name": "Văn phòng UBND tỉnh", "kind": "unit",
     "aliases": ["Văn phòng Ủy ban nhân dân tỉnh", "VP UBND tỉnh", "VPUB", "VPUBND tỉnh"]},
    {"name": "Phòng Hành chính - Quản trị", "kind": "unit",
     "aliases": ["Phòng Hành chính - Tổ chức", "Phòng HC-QT", "Phòng HCQT", "Phòng HC-TC", "Phòng HCTC"]},
    {"name": "Trung tâm Phục vụ - Kiểm soát thủ tục hành chính tỉnh", "kind": "unit",
     "aliases": ["Trung tâm Phục vụ - Kiểm soát TTHC tỉnh", "Trung tâm Phục vụ - Kiểm soát TTHC",
                 "Trung tâm Phục vụ hành chính công tỉnh", "Trung tâm Phục vụ hành chính công"]},
    {"name": "Phòng Kiểm soát thủ tục hành chính", "kind": "unit",
     "aliases": ["Phòng Kiểm soát TTHC", "Phòng KSTTHC"]},
    {"name": "Trung tâm Công báo và Tin học", "kind": "unit",
     "aliases": ["Trung tâm Công báo - Tin học", "TTCBTH", "CBTH"]},
    {"name": "Phòng Tổng hợp", "kind": "unit", "aliases": ["Phòng TH"]},
    {"name": "Ban Tiếp công dân tỉnh", "kind": "unit", "aliases": ["Ban Tiếp công dân", "BTCD"]},
    {"name": "Sở Nội vụ", "kind": "unit", "aliases": ["SNV"]},
    {"name": "Sở Thông tin và Truyền thông", "kind": "unit", "aliases": ["Sở TT&TT", "Sở TTTT"]},
    {"name": "Sở Tư pháp", "kind": "unit", "aliases": []},
    {"name": "Sở Khoa học và Công nghệ", "kind": "unit", "aliases": ["Sở KH&CN", "Sở Khoa học và CN"]},
    {"name": "Sở Tài chính", "kind": "unit", "aliases": []},
    {"name": "Sở Kế hoạch và Đầu tư", "kind": "unit", "aliases": ["Sở KH&ĐT", "Sở KHĐT"]},
    {"name": "Các sở, ban ngành", "kind": "group",
     "aliases": ["Các sở, ban, ngành", "Các sở, ngành", "Sở, ban, ngành"]},
    {"name": "UBND cấp huyện", "kind": "group",
     "aliases": ["Ủy ban nhân dân cấp huyện", "UBND các huyện, thị xã, thành phố"]},
    {"name": "UBND cấp xã", "kind": "group",
     "aliases": ["Ủy ban nhân dân cấp xã", "UBND các xã, phường, thị trấn"]},
    {"name": "Các cơ quan, đơn vị có liên quan", "kind": "group",
     "aliases": ["Các cơ quan, đơn vị liên quan", "Các cơ quan liên quan", "Các đơn vị liên quan"]},
    {"name": "Các phòng, ban, đơn vị", "kind": "group",
     "aliases": ["Các phòng, ban, đơn vị liên quan", "Các phòng, ban, đơn vị có liên quan",
                 "Các phòng, ban, đơn vị trực thuộc"]},
    {"name": "Các phòng, đơn vị liên quan", "kind": "group", "aliases": ["Các phòng, đơn vị có liên quan"]},
    {"name": "Các phòng nghiên cứu", "kind": "group", "aliases": ["Các phòng NC"]},
    {"name": "Các Phó Chánh Văn phòng", "kind": "group", "aliases": []},
]


def office_entries() -> list[dict]:
    """The entries, a fresh copy each time: [{"name", "aliases", "kind"}]."""
    return deepcopy(UNITS)


def office_directory() -> UnitDirectory:
    return UnitDirectory(office_entries())
