"""The demo office: its units (with the aliases and former names plans use) and people."""
from __future__ import annotations

OFFICE = "Văn phòng UBND tỉnh"
MONITOR_UNIT = "Phòng Hành chính - Quản trị"

# (name, aliases, kind)
UNITS: list[tuple[str, list[str], str]] = [
    (OFFICE, ["VPUB", "VP UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"], "unit"),
    (MONITOR_UNIT, ["Phòng Hành chính - Tổ chức", "Phòng HC-QT", "Phòng HCTC"], "unit"),
    ("Phòng Kiểm soát thủ tục hành chính", ["Phòng Kiểm soát TTHC", "Phòng KSTTHC"], "unit"),
    ("Trung tâm Phục vụ - Kiểm soát thủ tục hành chính tỉnh",
     ["Trung tâm Phục vụ - Kiểm soát TTHC tỉnh", "Trung tâm Phục vụ hành chính công tỉnh"], "unit"),
    ("Phòng Tổng hợp", [], "unit"),
    ("Trung tâm Công báo và Tin học", ["TT Công báo - Tin học"], "unit"),
    ("Ban Tiếp công dân tỉnh", ["Ban Tiếp công dân"], "unit"),
    ("Sở Thông tin và Truyền thông", ["Sở TT&TT"], "unit"),
    ("Các sở, ban ngành", ["Các sở, ban, ngành tỉnh"], "group"),
    ("UBND cấp huyện", ["UBND các huyện, thị xã, thành phố"], "group"),
    ("UBND cấp xã", ["UBND các xã, phường, thị trấn"], "group"),
    ("Các phòng, ban, đơn vị có liên quan", ["Các phòng, ban, đơn vị", "Các phòng, đơn vị liên quan"], "group"),
]

# (username, full name, unit, role)
PEOPLE: list[tuple[str, str, str, str]] = [
    ("chanhvp", "Nguyễn Văn An", OFFICE, "leader"),
    ("phochanhvp", "Trần Thị Bình", OFFICE, "leader"),
    ("truong.kstthc", "Lê Minh Châu", "Phòng Kiểm soát thủ tục hành chính", "unit_head"),
    ("cv.kstthc", "Phạm Thu Dung", "Phòng Kiểm soát thủ tục hành chính", "staff"),
    ("cv.kstthc2", "Hoàng Văn Em", "Phòng Kiểm soát thủ tục hành chính", "staff"),
    ("giamdoc.ttpv", "Võ Thị Giang", "Trung tâm Phục vụ - Kiểm soát thủ tục hành chính tỉnh", "unit_head"),
    ("cv.ttpv", "Đặng Quốc Huy", "Trung tâm Phục vụ - Kiểm soát thủ tục hành chính tỉnh", "staff"),
    ("truong.hcqt", "Bùi Thanh Khoa", MONITOR_UNIT, "unit_head"),
    ("theodoi", "Đỗ Thị Lan", MONITOR_UNIT, "monitor"),
    ("cv.hcqt", "Ngô Văn Minh", MONITOR_UNIT, "staff"),
    ("truong.th", "Lý Thị Ngọc", "Phòng Tổng hợp", "unit_head"),
    ("cv.th", "Trương Văn Phúc", "Phòng Tổng hợp", "staff"),
    ("giamdoc.cbth", "Mai Văn Quang", "Trung tâm Công báo và Tin học", "unit_head"),
    ("cv.cbth", "Phan Thị Sương", "Trung tâm Công báo và Tin học", "staff"),
    ("thietke", "Vũ Đức Tâm", "Trung tâm Công báo và Tin học", "designer"),
    ("truongban.tcd", "Hồ Văn Uy", "Ban Tiếp công dân tỉnh", "unit_head"),
    ("cv.tcd", "Lâm Thị Vân", "Ban Tiếp công dân tỉnh", "staff"),
    ("giamdoc.stttt", "Châu Minh Xuân", "Sở Thông tin và Truyền thông", "unit_head"),
]
