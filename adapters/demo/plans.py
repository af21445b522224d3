"""Three demo plans in the genre of a provincial office's reform plans.

Written for planflow (no sample plan's sentences). Deadlines are placed relative to
the day the demo is loaded, so some tasks are always overdue, some due soon, some
done; `story` says how far the loader walks each task through its process.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Stories, in the order of the process: how far each demo task has gone.
STORIES = ("assign", "coordinate", "report", "review", "returned", "closed_on_time", "closed_late", "no_date")


@dataclass(frozen=True)
class DemoTask:
    ref: str
    title: str
    lead: list[str]
    coordinators: list[str]
    months_from_now: int | None  # the deadline: end of the month this many months away
    story: str
    content: str = ""
    product: str = ""
    director: str | None = None  # a username
    deadline_text: str = ""  # only for a task with no date


@dataclass(frozen=True)
class DemoPlan:
    number: str
    title: str
    months_ago_issued: int
    tasks: list[DemoTask] = field(default_factory=list)


KSTTHC = "Phòng Kiểm soát thủ tục hành chính"
TTPV = "Trung tâm Phục vụ - Kiểm soát thủ tục hành chính tỉnh"
TH = "Phòng Tổng hợp"
CBTH = "Trung tâm Công báo và Tin học"
TCD = "Ban Tiếp công dân tỉnh"
HCQT = "Phòng Hành chính - Quản trị"

PLANS: list[DemoPlan] = [
    DemoPlan("12/KH-VP", "Kế hoạch cải cách hành chính năm {year} của Văn phòng UBND tỉnh", 10, [
        DemoTask("1", "Ban hành kế hoạch kiểm soát thủ tục hành chính và kế hoạch rà soát thủ tục năm {year}",
                 [KSTTHC], [TH], -7, "closed_on_time",
                 content="Trình Chủ tịch UBND tỉnh ban hành trước khi bắt đầu quý II.",
                 product="Kế hoạch được ban hành", director="chanhvp"),
        DemoTask("2", "Cập nhật, công khai đầy đủ thủ tục hành chính trên Cổng dịch vụ công của tỉnh",
                 [TTPV], [KSTTHC, CBTH], -4, "closed_late",
                 content="Bảo đảm 100% thủ tục được công khai đúng quy định.",
                 product="Báo cáo kết quả công khai", director="phochanhvp"),
        DemoTask("3", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại bộ phận một cửa",
                 [TTPV], [CBTH], -2, "report",
                 content="Đạt tỷ lệ số hóa theo chỉ tiêu được giao.",
                 product="Báo cáo tỷ lệ số hóa", director="phochanhvp"),
        DemoTask("4", "Tổ chức khảo sát mức độ hài lòng của người dân, doanh nghiệp",
                 [TH], [TTPV, TCD], -1, "coordinate", product="Báo cáo kết quả khảo sát",
                 director="chanhvp"),
        DemoTask("5", "Rà soát, kiến nghị đơn giản hóa thủ tục hành chính nội bộ",
                 [KSTTHC], [], 0, "review", product="Phương án đơn giản hóa", director="chanhvp"),
        DemoTask("6", "Kiện toàn đội ngũ cán bộ đầu mối kiểm soát thủ tục hành chính",
                 [HCQT], [KSTTHC], 1, "assign", product="Quyết định kiện toàn"),
        DemoTask("7", "Thực hiện các nhiệm vụ khác theo chỉ đạo của UBND tỉnh",
                 [TH], [], None, "no_date", deadline_text="Theo chỉ đạo của UBND tỉnh"),
    ]),
    DemoPlan("47/KH-VP", "Kế hoạch khắc phục hạn chế, nâng cao Chỉ số CCHC năm {year}", 8, [
        DemoTask("1", "Khắc phục các tiêu chí bị trừ điểm về công tác chỉ đạo, điều hành cải cách hành chính",
                 [TH], [HCQT], -3, "returned",
                 content="Mục tiêu: đạt tối thiểu 90% số điểm của lĩnh vực.",
                 product="Báo cáo khắc phục", director="chanhvp"),
        DemoTask("2", "Nâng tỷ lệ hồ sơ giải quyết trực tuyến toàn trình",
                 [TTPV], [CBTH, KSTTHC], -1, "coordinate", product="Báo cáo định kỳ", director="phochanhvp"),
        DemoTask("3", "Tuyên truyền về cải cách hành chính trên Cổng thông tin điện tử tỉnh",
                 [CBTH], [TH], 0, "report", product="Tin, bài đã đăng"),
        DemoTask("4", "Tiếp nhận, xử lý phản ánh, kiến nghị của người dân về thủ tục hành chính",
                 [KSTTHC], [TCD], 1, "coordinate", product="Báo cáo xử lý phản ánh", director="phochanhvp"),
        DemoTask("5", "Đánh giá, chấm điểm việc thực hiện nhiệm vụ cải cách hành chính của các phòng",
                 [HCQT], [TH], -5, "closed_on_time", product="Kết quả chấm điểm"),
    ]),
    DemoPlan("63/KH-VP", "Kế hoạch nâng cao chất lượng tiếp công dân và giải quyết thủ tục tại một cửa năm {year}", 6, [
        DemoTask("1", "Bố trí lịch tiếp công dân định kỳ của lãnh đạo Văn phòng",
                 [TCD], [HCQT], -2, "closed_late", product="Lịch tiếp công dân", director="phochanhvp"),
        DemoTask("2", "Chuẩn hóa quy trình nội bộ giải quyết thủ tục tại bộ phận một cửa",
                 [TTPV], [KSTTHC], 2, "report", product="Quy trình được phê duyệt"),
        DemoTask("3", "Nâng cấp hạ tầng mạng và thiết bị tại bộ phận một cửa",
                 [CBTH], [TTPV], 1, "review", product="Biên bản nghiệm thu", director="chanhvp"),
        DemoTask("4", "Báo cáo kết quả thực hiện kế hoạch",
                 [TCD], [], None, "no_date", deadline_text="Theo yêu cầu của UBND tỉnh"),
    ]),
]
