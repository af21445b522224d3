"""The deadline grammar on phrases taken from real plans in ../shared/plans and ../shared/corpus.

Each row is a phrase as an office wrote it (OCR damage included), the file it was
taken from, and the schedule it must read as, in the years of that plan (read from
its title: "giai đoạn 2026 - 2030" runs five years). The test first checks that the
phrase is in its file (whitespace and Markdown emphasis aside), so the table cannot
drift from the real texts; it skips, saying why, where ../shared is absent.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from engine.importing.deadline_phrases import PlanYears, parse_deadline

SHARED = Path(__file__).resolve().parents[3] / "shared"
NO_SHARED = f"the real plans are not here ({SHARED} is absent)"

# The years of each source plan, as its title or its deadlines give them.
YEARS = {
    "09daab284f92e2dd.md": (2026, 2030), "0a97eb9c3c536047.md": (2025, 2025), "0c462ec3eec6e18d.md": (2025, 2025),
    "1796a553dfee88ef.md": (2025, 2025), "192068354fd1ffe5.md": (2025, 2035), "24c7124ec6b2bf61.md": (2025, 2030),
    "2edf5927c71bc4c1.md": (2026, 2026), "2f6f80b9918e52de.md": (2025, 2025), "31fb08f34535fce3.md": (2025, 2025),
    "3a2db039af8c2d05.md": (2025, 2025), "5d99697f14bcf68a.md": (2025, 2025), "62f25a030c183151.md": (2025, 2025),
    "65dec8089b8bd9d9.md": (2025, 2025), "6a406c1f9dfed9c3.md": (2025, 2025), "6e205b75bcc588b5.md": (2025, 2025),
    "8718801c503045f9.md": (2025, 2025), "8e9a425dd83e56b3.md": (2025, 2025), "ad5aff6c13929815.md": (2026, 2030),
    "bacninh-2025-kh141-xdpl.md": (2026, 2030), "c5d930a5fc8373cd.md": (2026, 2026), "ceb89a53c7b93f00.md": (2026, 2030),
    "d40513a8b25883ec.md": (2025, 2025), "d5ffa6afac124d52.md": (2026, 2030), "f004d93b21e7fc5f.md": (2026, 2030),
    "f069c23c942c1ec6.md": (2025, 2030), "f1e0981425ec38be.md": (2026, 2030), "lamdong-2026-kh-cchc.docx": (2026, 2030),
    "luongminh-2025-kh16-baucu.docx": (2025, 2025), "quangngai-vp-2021-khac-phuc-par.txt": (2021, 2021),
    "quangngai-vp-2024-de-xuat-cchc.md": (2024, 2024), "quangngai-vp-2024-khac-phuc-lanh-dao.txt": (2024, 2024),
}

# (source, phrase, kind, due, every, until[, start / on / reason])
PHRASES = [
    ('09daab284f92e2dd.md', 'Thường xuyên.', 'ongoing', [], None, '2030-12-31'),
    ('09daab284f92e2dd.md', 'Theo kế hoạch công tác tư pháp hàng năm.', 'unresolved', [], None, None, {'reason': 'reference'}),
    ('09daab284f92e2dd.md', 'Theo Kế hoạch bồi dưỡng công chức, viên chức hàng năm.', 'unresolved', [], None, None, {'reason': 'reference'}),
    ('09daab284f92e2dd.md', 'Giai đoạn 2026-2030 và những năm tiếp theo.', 'ongoing', [], None, '2030-12-31'),
    ('09daab284f92e2dd.md', 'Thường xuyên, theo yêu cầu nhiệm vụ.', 'ongoing', [], None, '2030-12-31'),
    ('09daab284f92e2dd.md', 'Từ 01/7/2025.', 'ongoing', [], None, '2030-12-31'),
    ('09daab284f92e2dd.md', 'Tháng 12/2025.', 'once', ['2025-12-31'], None, None),
    ('09daab284f92e2dd.md', 'Hằng năm.', 'periodic', [], 'P1Y', '2030-12-31'),
    ('2f6f80b9918e52de.md', 'Năm 2025 và các năm tiếp theo.', 'periodic', [], 'P1Y', None),
    ('2f6f80b9918e52de.md', 'Năm 2026 và các năm tiếp theo.', 'periodic', [], 'P1Y', None, {'start': '2026-01-01'}),
    ('31fb08f34535fce3.md', 'Từ ngày 15/11/2025 đến ngày 15/12/2025.', 'once', ['2025-12-15'], None, None, {'start': '2025-11-15'}),
    ('3a2db039af8c2d05.md', 'từ ngày 20 tháng 11 năm 2025 đến ngày 03 tháng 12 năm 2025', 'once', ['2025-12-03'], None, None, {'start': '2025-11-20'}),
    ('6a406c1f9dfed9c3.md', 'Quý IV năm 2025 và các năm tiếp theo.', 'periodic', ['2025-12-31'], 'P1Y', None),
    ('6a406c1f9dfed9c3.md', 'Theo tiến độ xây dựng dự thảo văn bản của cơ quan chủ trì soạn thảo.', 'unresolved', [], None, None, {'reason': 'reference'}),
    ('6a406c1f9dfed9c3.md', 'Sau khi Nghị định quy định chi tiết thi hành một số điều của Luật Tiêu chuẩn và quy chuẩn kỹ thuật và Luật sửa đổi, bổ sung một số điều của Luật Tiêu chuẩn và quy chuẩn kỹ thuật ban hành.', 'unresolved', [], None, None, {'reason': 'condition'}),
    ('8e9a425dd83e56b3.md', 'Hoàn thành trong năm 2025.', 'once', ['2025-12-31'], None, None),
    ('8e9a425dd83e56b3.md', 'Triển khai đảm bảo theo lộ trình, hướng dẫn của Bộ, ngành.', 'unresolved', [], None, None, {'reason': 'reference'}),
    ('8e9a425dd83e56b3.md', 'Thực hiện thường xuyên.', 'ongoing', [], None, '2025-12-31'),
    ('8e9a425dd83e56b3.md', 'Thực hiện thường xuyên .', 'ongoing', [], None, '2025-12-31'),
    ('d5ffa6afac124d52.md', '01 ngày/hội nghị.', 'unresolved', [], None, None, {'reason': 'duration'}),
    ('lamdong-2026-kh-cchc.docx', 'Theo Điều 17 Nghị định số 52/2015/NĐ-CP ngày 28/5/2015 của Chính phủ cơ sở dữ liệu quốc gia về pháp luật', 'unresolved', [], None, None, {'reason': 'reference'}),
    ('lamdong-2026-kh-cchc.docx', 'Trước ngày 31/01 năm liền kề', 'periodic', [], 'P1Y', '2030-12-31', {'on': '--01-31'}),
    ('lamdong-2026-kh-cchc.docx', 'Hằng năm', 'periodic', [], 'P1Y', '2030-12-31'),
    ('lamdong-2026-kh-cchc.docx', 'Năm 2026', 'once', ['2026-12-31'], None, None),
    ('lamdong-2026-kh-cchc.docx', 'Theo Kế hoạch rà soát, đánh giá thủ tục hành chính hằng năm của tỉnh', 'unresolved', [], None, None, {'reason': 'reference'}),
    ('lamdong-2026-kh-cchc.docx', 'Theo các mốc thời gian tại Quyết định số 1441/QĐ-UBND ngày 25/9/2025 của Chủ tịch UBND tỉnh', 'unresolved', [], None, None, {'reason': 'reference'}),
    ('lamdong-2026-kh-cchc.docx', 'Định kỳ hằng tháng', 'periodic', [], 'P1M', '2030-12-31'),
    ('lamdong-2026-kh-cchc.docx', 'Sau 03 tháng kể từ khi có văn bản của Trung ương hoặc Quyết định liên quan của cơ quan có thẩm quyền', 'unresolved', [], None, None, {'reason': 'condition'}),
    ('lamdong-2026-kh-cchc.docx', 'Theo các mốc thời gian tại Phương án số 7178/PA-UBND ngày 14/11/2025 của UBND tỉnh', 'unresolved', [], None, None, {'reason': 'reference'}),
    ('lamdong-2026-kh-cchc.docx', 'Theo kế hoạch của tỉnh', 'unresolved', [], None, None, {'reason': 'reference'}),
    ('lamdong-2026-kh-cchc.docx', 'Theo hướng dẫn của Trung ương', 'unresolved', [], None, None, {'reason': 'reference'}),
    ('luongminh-2025-kh16-baucu.docx', 'Dự kiến tháng 11/2025 (sau khi Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh ban hành Hướng dẫn).', 'once', ['2025-11-30'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'ngày Tháng 11/2025 (sau khi Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh ban hành Hướng dẫn);', 'once', ['2025-11-30'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Tháng 11/2025 (sau khi Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh ban hành Hướng dẫn).', 'once', ['2025-11-30'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Quý IV/2025 và Quý I/2026;', 'once', ['2025-12-31', '2026-03-31'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Quý I/2026;', 'once', ['2026-03-31'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Từ tháng 12/2025 đến quý I/2026.', 'once', ['2026-03-31'], None, None, {'start': '2025-12-01'}),
    ('luongminh-2025-kh16-baucu.docx', 'Quý IV/2025;', 'once', ['2025-12-31'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Quý IV/2025.', 'once', ['2025-12-31'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Từ tháng 11/2025 đến tháng 4/2026.', 'once', ['2026-04-30'], None, None, {'start': '2025-11-01'}),
    ('luongminh-2025-kh16-baucu.docx', 'Từ tháng 11/2025 đến quý I/2026.', 'once', ['2026-03-31'], None, None, {'start': '2025-11-01'}),
    ('luongminh-2025-kh16-baucu.docx', 'Tháng 4/2026.', 'once', ['2026-04-30'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'tháng 11/2025 đến tháng 4/2026;', 'once', ['2026-04-30'], None, None, {'start': '2025-11-01'}),
    ('quangngai-vp-2021-khac-phuc-par.txt', 'Thuong xuyén.', 'ongoing', [], None, '2021-12-31'),
    ('quangngai-vp-2021-khac-phuc-par.txt', 'Trong thang 9/2021.', 'once', ['2021-09-30'], None, None),
    ('quangngai-vp-2021-khac-phuc-par.txt', 'Hang nam.', 'periodic', [], 'P1Y', None),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Quý I năm 2024, ban hành các Kế hoạch; định kỳ báo cáo kết quả thực hiện.', 'ongoing', ['2024-03-31'], None, '2024-12-31'),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Quý I năm 2024, ban hành kế hoạch; định kỳ báo cáo kết quả thực hiện theo quy định.', 'ongoing', ['2024-03-31'], None, '2024-12-31'),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Thường xuyên trong năm, theo Kế hoạch rà soát, đơn giản hóa TTHC nội bộ trong hệ thống cơ quan hành chính nhà nước giai đoạn 2022 - 2025 trên địa bàn tỉnh ban hành kèm theo Quyết định số 1648/QĐ-UBND ngày 30/11/2022 của Chủ tịch UBND tỉnh.', 'ongoing', [], None, '2024-12-31'),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Định kỳ hàng tháng trong năm.', 'periodic', [], 'P1M', '2024-12-31'),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Thường xuyên trong năm.', 'ongoing', [], None, '2024-12-31'),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Theo Kế hoạch số 140/KH-UBND ngày 14/10/2021 của UBND tỉnh đối với những nhiệm vụ giao thực hiện trong năm 2024.', 'unresolved', [], None, None, {'reason': 'reference'}),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Thường xuyên trong năm; định kỳ báo cáo kết quả thực hiện.', 'ongoing', [], None, '2024-12-31'),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Quý II năm 2024.', 'once', ['2024-06-30'], None, None),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Quý III năm 2024.', 'once', ['2024-09-30'], None, None),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Theo quy định của Chính phủ và hướng dẫn của Sở Thông tin và Truyền thông.', 'unresolved', [], None, None, {'reason': 'reference'}),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Quý I năm 2024, ban hành kế hoạch kiểm tra; tổ chức kiểm tra theo kế hoạch, kiểm tra đột xuất trong năm 2024.', 'ongoing', ['2024-03-31'], None, '2024-12-31'),
    ('quangngai-vp-2024-khac-phuc-lanh-dao.txt', 'Viéc quén triét chuyén d& nim 2024 thuc hién trong thang 5/2024; cac nhiém vu con lai thuc hién thuong xuyén trong nam 2024.', 'ongoing', ['2024-05-31'], None, '2024-12-31'),
    ('quangngai-vp-2024-khac-phuc-lanh-dao.txt', 'Thudng xuyén trong ndm 2024.', 'ongoing', [], None, '2024-12-31'),
    ('quangngai-vp-2024-khac-phuc-lanh-dao.txt', 'Thudng xuyén trong nam 2024.', 'ongoing', [], None, '2024-12-31'),
    ('quangngai-vp-2024-khac-phuc-lanh-dao.txt', 'Thudng xuyén trong nam 2024 va trién khai thuc hién viéc kiém tra theo ké hoach UBND tinh d3 ban hanh.', 'ongoing', [], None, '2024-12-31'),
    ('quangngai-vp-2024-khac-phuc-lanh-dao.txt', 'Thuong xuyén trong nam 2024.', 'ongoing', [], None, '2024-12-31'),
    ('quangngai-vp-2024-khac-phuc-lanh-dao.txt', 'Thuong xuyén trong nam 2024', 'ongoing', [], None, '2024-12-31'),
    ('quangngai-vp-2024-khac-phuc-lanh-dao.txt', 'Thudong xuyén trong nam 2024.', 'ongoing', [], None, '2024-12-31'),
    ('quangngai-vp-2024-khac-phuc-lanh-dao.txt', 'Quy Il nam 2024.', 'once', ['2024-06-30'], None, None),
    ('quangngai-vp-2024-khac-phuc-lanh-dao.txt', 'Quy II, ITI, IV nidm 2024.', 'once', ['2024-06-30', '2024-09-30', '2024-12-31'], None, None),
    ('quangngai-vp-2024-khac-phuc-lanh-dao.txt', 'Quy IV nam 2024.', 'once', ['2024-12-31'], None, None),
    ('09daab284f92e2dd.md', 'ngày 20 tháng 11 năm 2025', 'once', ['2025-11-20'], None, None),
    ('09daab284f92e2dd.md', 'giai đoạn 2026 - 2030', 'ongoing', [], None, '2030-12-31'),
    ('09daab284f92e2dd.md', 'Trong giai đoạn 2026 - 2030', 'ongoing', [], None, '2030-12-31'),
    ('09daab284f92e2dd.md', 'Thường xuyên', 'ongoing', [], None, '2030-12-31'),
    ('09daab284f92e2dd.md', 'hàng năm', 'periodic', [], 'P1Y', '2030-12-31'),
    ('09daab284f92e2dd.md', 'Giai đoạn 2026-2030', 'ongoing', [], None, '2030-12-31'),
    ('09daab284f92e2dd.md', 'thường xuyên', 'ongoing', [], None, '2030-12-31'),
    ('09daab284f92e2dd.md', 'Từ 01/7/2025', 'ongoing', [], None, '2030-12-31'),
    ('09daab284f92e2dd.md', 'Tháng 12/2025', 'once', ['2025-12-31'], None, None),
    ('09daab284f92e2dd.md', 'trong tháng 12/2025', 'once', ['2025-12-31'], None, None),
    ('09daab284f92e2dd.md', 'hằng năm', 'periodic', [], 'P1Y', '2030-12-31'),
    ('09daab284f92e2dd.md', 'trước ngày 15 tháng 11', 'once', ['2026-11-15'], None, None),
    ('0a97eb9c3c536047.md', 'ngày 26 tháng 11 năm 2025', 'once', ['2025-11-26'], None, None),
    ('0a97eb9c3c536047.md', '21/10/2025', 'once', ['2025-10-21'], None, None),
    ('0a97eb9c3c536047.md', 'năm 2025', 'once', ['2025-12-31'], None, None),
    ('0c462ec3eec6e18d.md', '18/11/2025', 'once', ['2025-11-18'], None, None),
    ('0c462ec3eec6e18d.md', 'ngày 18 tháng 11 năm 2025', 'once', ['2025-11-18'], None, None),
    ('0c462ec3eec6e18d.md', 'ngày 16/6/2025', 'once', ['2025-06-16'], None, None),
    ('0c462ec3eec6e18d.md', 'giai đoạn 2022 - 2025', 'ongoing', [], None, '2025-12-31'),
    ('0c462ec3eec6e18d.md', '28/10/2025', 'once', ['2025-10-28'], None, None),
    ('0c462ec3eec6e18d.md', '15/11/2025', 'once', ['2025-11-15'], None, None),
    ('0c462ec3eec6e18d.md', '06/10/2025', 'once', ['2025-10-06'], None, None),
    ('0c462ec3eec6e18d.md', '29/10/2025', 'once', ['2025-10-29'], None, None),
    ('0c462ec3eec6e18d.md', '29/07/2025', 'once', ['2025-07-29'], None, None),
    ('0c462ec3eec6e18d.md', 'tháng 5/2021', 'once', ['2021-05-31'], None, None),
    ('0c462ec3eec6e18d.md', 'từ ngày 01/07/2023', 'ongoing', [], None, '2025-12-31'),
    ('1796a553dfee88ef.md', 'giai đoạn 2022-2025', 'ongoing', [], None, '2025-12-31'),
    ('1796a553dfee88ef.md', 'ngày 30 tháng 11 năm trước của năm kế hoạch', 'once', ['2024-11-30'], None, None),
    ('1796a553dfee88ef.md', 'ngày 30 tháng 12 năm trước của năm kế hoạch', 'once', ['2024-12-30'], None, None),
    ('192068354fd1ffe5.md', 'ngày 19 tháng 11 năm 2025', 'once', ['2025-11-19'], None, None),
    ('192068354fd1ffe5.md', 'năm 2035', 'once', ['2035-12-31'], None, None),
    ('192068354fd1ffe5.md', 'giai đoạn 2025 - 2030', 'ongoing', [], None, '2030-12-31'),
    ('192068354fd1ffe5.md', 'giai đoạn 2031 - 2035', 'ongoing', [], None, '2035-12-31', {'start': '2031-01-01'}),
    ('192068354fd1ffe5.md', 'năm 2030', 'once', ['2030-12-31'], None, None),
    ('192068354fd1ffe5.md', 'Giai đoạn 2025 - 2030', 'ongoing', [], None, '2030-12-31'),
    ('192068354fd1ffe5.md', 'Giai đoạn 2031 - 2035', 'ongoing', [], None, '2035-12-31', {'start': '2031-01-01'}),
    ('192068354fd1ffe5.md', 'Định kỳ hằng năm', 'periodic', [], 'P1Y', '2035-12-31'),
    ('192068354fd1ffe5.md', 'trước ngày 20/11', 'once', ['2025-11-20'], None, None),
    ('192068354fd1ffe5.md', 'trước ngày 30/11 hằng năm', 'periodic', [], 'P1Y', '2035-12-31', {'on': '--11-30'}),
    ('24c7124ec6b2bf61.md', 'ngày 17 tháng 11 năm 2025', 'once', ['2025-11-17'], None, None),
    ('24c7124ec6b2bf61.md', 'Từ năm 2025 đến hết năm 2030', 'ongoing', [], None, '2030-12-31'),
    ('24c7124ec6b2bf61.md', 'trước ngày 15 tháng 12', 'once', ['2025-12-15'], None, None),
    ('2edf5927c71bc4c1.md', 'ngày 01 tháng 12 năm 2025', 'once', ['2025-12-01'], None, None),
    ('2edf5927c71bc4c1.md', 'ngày 18 tháng 02 năm 2025', 'once', ['2025-02-18'], None, None),
    ('2edf5927c71bc4c1.md', 'ngày 22 tháng 6 năm 2023', 'once', ['2023-06-22'], None, None),
    ('2edf5927c71bc4c1.md', 'ngày 30 tháng 11 năm 2024', 'once', ['2024-11-30'], None, None),
    ('2edf5927c71bc4c1.md', 'Giai đoạn 2025-2027', 'ongoing', [], None, '2027-12-31'),
    ('2edf5927c71bc4c1.md', 'Giai đoạn 2028-2030', 'ongoing', [], None, '2030-12-31', {'start': '2028-01-01'}),
    ('2edf5927c71bc4c1.md', 'năm 2028', 'once', ['2028-12-31'], None, None),
    ('2edf5927c71bc4c1.md', 'định kỳ hằng năm', 'periodic', [], 'P1Y', None),
    ('2edf5927c71bc4c1.md', 'Định kỳ hằng quý', 'periodic', [], 'P3M', None),
    ('2edf5927c71bc4c1.md', 'giai đoạn 2026-2030', 'ongoing', [], None, '2030-12-31'),
    ('2edf5927c71bc4c1.md', 'trước ngày 31 tháng 12 năm 2025', 'once', ['2025-12-31'], None, None),
    ('2edf5927c71bc4c1.md', 'trước ngày 30 tháng 01 của năm tiếp theo', 'once', ['2027-01-30'], None, None),
    ('2edf5927c71bc4c1.md', 'giai đoạn 2021-2025', 'ongoing', [], None, '2025-12-31'),
    ('2edf5927c71bc4c1.md', 'Tháng 12/2026', 'once', ['2026-12-31'], None, None),
    ('2edf5927c71bc4c1.md', 'Năm 2025-2030', 'ongoing', [], None, '2030-12-31'),
    ('2edf5927c71bc4c1.md', 'Tháng 3/2026', 'once', ['2026-03-31'], None, None),
    ('2edf5927c71bc4c1.md', 'Tháng 06/2026', 'once', ['2026-06-30'], None, None),
    ('2edf5927c71bc4c1.md', 'Tháng 8/2026', 'once', ['2026-08-31'], None, None),
    ('2edf5927c71bc4c1.md', 'Tháng 6/2026', 'once', ['2026-06-30'], None, None),
    ('2edf5927c71bc4c1.md', 'Tháng 02/2026', 'once', ['2026-02-28'], None, None),
    ('2edf5927c71bc4c1.md', 'Năm 2025-2026', 'ongoing', [], None, '2026-12-31'),
    ('2edf5927c71bc4c1.md', 'từ năm 2026', 'ongoing', [], None, '2026-12-31'),
    ('2f6f80b9918e52de.md', 'từ ngày 01 tháng 01 năm 2026', 'ongoing', [], None, '2026-12-31', {'start': '2026-01-01'}),
    ('2f6f80b9918e52de.md', 'Năm 2025 và các năm tiếp theo', 'periodic', [], 'P1Y', None),
    ('2f6f80b9918e52de.md', 'Năm 2026 và các năm tiếp theo', 'periodic', [], 'P1Y', None, {'start': '2026-01-01'}),
    ('31fb08f34535fce3.md', 'giai đoạn 2021 - 2025', 'ongoing', [], None, '2025-12-31'),
    ('31fb08f34535fce3.md', 'giai đoạn 2021 - 2030', 'ongoing', [], None, '2030-12-31'),
    ('31fb08f34535fce3.md', 'giai đoạn 2024 - 2030', 'ongoing', [], None, '2030-12-31'),
    ('31fb08f34535fce3.md', 'Năm 2025', 'once', ['2025-12-31'], None, None),
    ('31fb08f34535fce3.md', 'Từ năm 2025', 'ongoing', [], None, '2025-12-31'),
    ('31fb08f34535fce3.md', 'từ năm 2025', 'ongoing', [], None, '2025-12-31'),
    ('31fb08f34535fce3.md', 'hằng tháng', 'periodic', [], 'P1M', None),
    ('31fb08f34535fce3.md', 'Từ ngày 15/11/2025 đến ngày 15/12/2025', 'once', ['2025-12-15'], None, None, {'start': '2025-11-15'}),
    ('31fb08f34535fce3.md', 'từ ngày 15/11', 'ongoing', [], None, '2025-12-31', {'start': '2025-11-15'}),
    ('31fb08f34535fce3.md', 'ngày 25/11', 'once', ['2025-11-25'], None, None),
    ('31fb08f34535fce3.md', 'trước ngày 16 tháng 12 năm 2025', 'once', ['2025-12-16'], None, None),
    ('3a2db039af8c2d05.md', 'từ ngày 20 tháng 11 năm 2025', 'ongoing', [], None, '2025-12-31', {'start': '2025-11-20'}),
    ('3a2db039af8c2d05.md', 'ngày 03 tháng 12 năm 2025', 'once', ['2025-12-03'], None, None),
    ('3a2db039af8c2d05.md', 'ngày 10 tháng 12 năm 2025', 'once', ['2025-12-10'], None, None),
    ('3a2db039af8c2d05.md', 'hàng tháng', 'periodic', [], 'P1M', None),
    ('5d99697f14bcf68a.md', 'trong năm 2025', 'once', ['2025-12-31'], None, None),
    ('62f25a030c183151.md', 'ngày 21 tháng 11 năm 2025', 'once', ['2025-11-21'], None, None),
    ('62f25a030c183151.md', 'Từ ngày 15/11 đến ngày 20/11/2025', 'once', ['2025-11-20'], None, None, {'start': '2025-11-15'}),
    ('6a406c1f9dfed9c3.md', 'Quý IV năm 2025', 'once', ['2025-12-31'], None, None),
    ('6e205b75bcc588b5.md', 'ngày 24 tháng 11 năm 2025', 'once', ['2025-11-24'], None, None),
    ('6e205b75bcc588b5.md', 'năm 2020', 'once', ['2020-12-31'], None, None),
    ('8718801c503045f9.md', 'Đến hết năm 2025', 'once', ['2025-12-31'], None, None),
    ('8718801c503045f9.md', 'Đến hết năm 2030', 'once', ['2030-12-31'], None, None),
    ('8718801c503045f9.md', 'Đến hết năm 2035', 'once', ['2035-12-31'], None, None),
    ('8718801c503045f9.md', 'Đến hết năm 2040', 'once', ['2040-12-31'], None, None),
    ('8718801c503045f9.md', 'Đến hết năm 2045', 'once', ['2045-12-31'], None, None),
    ('8718801c503045f9.md', 'năm 2050', 'once', ['2050-12-31'], None, None),
    ('8718801c503045f9.md', 'trước ngày 01/6 và 15/11 hằng năm', 'periodic', [], 'P1Y', None, {'on': '--06-01,--11-15'}),
    ('8e9a425dd83e56b3.md', 'Hoàn thành trong năm 2025', 'once', ['2025-12-31'], None, None),
    ('8e9a425dd83e56b3.md', 'trước ngày 20 hằng tháng', 'periodic', [], 'P1M', None, {'on': '---20'}),
    ('8e9a425dd83e56b3.md', 'trước ngày 15 hằng tháng', 'periodic', [], 'P1M', None, {'on': '---15'}),
    ('ad5aff6c13929815.md', 'trong giai đoạn 2026–2030', 'ongoing', [], None, '2030-12-31'),
    ('ad5aff6c13929815.md', 'trước ngày 15/11 hằng năm', 'periodic', [], 'P1Y', '2030-12-31', {'on': '--11-15'}),
    ('c5d930a5fc8373cd.md', 'Trước ngày 30/11/2025', 'once', ['2025-11-30'], None, None),
    ('c5d930a5fc8373cd.md', 'Tháng 12 hằng năm', 'periodic', [], 'P1Y', None, {'on': '--12-31'}),
    ('ceb89a53c7b93f00.md', 'năm 2045', 'once', ['2045-12-31'], None, None),
    ('ceb89a53c7b93f00.md', 'Trước ngày 15/12 hàng năm', 'periodic', [], 'P1Y', '2030-12-31', {'on': '--12-15'}),
    ('d40513a8b25883ec.md', 'đến hết năm 2025', 'once', ['2025-12-31'], None, None),
    ('d5ffa6afac124d52.md', 'ngày 25 tháng 11 năm 2025', 'once', ['2025-11-25'], None, None),
    ('d5ffa6afac124d52.md', 'năm 2040', 'once', ['2040-12-31'], None, None),
    ('d5ffa6afac124d52.md', 'giai đoạn 2021- 2025', 'ongoing', [], None, '2025-12-31'),
    ('d5ffa6afac124d52.md', 'giai đoạn 2023 - 2030', 'ongoing', [], None, '2030-12-31'),
    ('d5ffa6afac124d52.md', 'Từ năm 2026 - 2030', 'ongoing', [], None, '2030-12-31'),
    ('d5ffa6afac124d52.md', 'tháng 11 hàng năm', 'periodic', [], 'P1Y', '2030-12-31', {'on': '--11-30'}),
    ('d5ffa6afac124d52.md', 'tháng 11 hằng năm', 'periodic', [], 'P1Y', '2030-12-31', {'on': '--11-30'}),
    ('d5ffa6afac124d52.md', 'hàng quý', 'periodic', [], 'P3M', '2030-12-31'),
    ('d5ffa6afac124d52.md', 'từ năm 2026 -2030', 'ongoing', [], None, '2030-12-31'),
    ('f004d93b21e7fc5f.md', 'ngày 16 tháng 6 năm 2025', 'once', ['2025-06-16'], None, None),
    ('f004d93b21e7fc5f.md', 'giai đoạn 2025-2035', 'ongoing', [], None, '2035-12-31'),
    ('f004d93b21e7fc5f.md', 'định kỳ hàng năm', 'periodic', [], 'P1Y', '2030-12-31'),
    ('f004d93b21e7fc5f.md', 'giai đoạn 2021-2030', 'ongoing', [], None, '2030-12-31'),
    ('f069c23c942c1ec6.md', 'đến hết năm 2030', 'once', ['2030-12-31'], None, None),
    ('f069c23c942c1ec6.md', 'trong tháng 11/2025', 'once', ['2025-11-30'], None, None),
    ('f069c23c942c1ec6.md', 'hoàn thành trong tháng 11/2025', 'once', ['2025-11-30'], None, None),
    ('f1e0981425ec38be.md', 'năm 2026 - 2030', 'ongoing', [], None, '2030-12-31'),
    ('f1e0981425ec38be.md', 'giai đoạn 2026 – 2030', 'ongoing', [], None, '2030-12-31'),
    ('f1e0981425ec38be.md', 'Định kỳ hàng tháng', 'periodic', [], 'P1M', '2030-12-31'),
    ('f1e0981425ec38be.md', 'trước ngày 16 hàng tháng', 'periodic', [], 'P1M', '2030-12-31', {'on': '---16'}),
    ('f1e0981425ec38be.md', 'trước ngày 16/6', 'once', ['2026-06-16'], None, None),
    ('f1e0981425ec38be.md', 'trước ngày 20/11 hàng năm', 'periodic', [], 'P1Y', '2030-12-31', {'on': '--11-20'}),
    ('f1e0981425ec38be.md', 'định kỳ hàng tháng', 'periodic', [], 'P1M', '2030-12-31'),
    ('f1e0981425ec38be.md', 'trước ngày 18 hàng tháng', 'periodic', [], 'P1M', '2030-12-31', {'on': '---18'}),
    ('f1e0981425ec38be.md', 'trước ngày 18/5', 'once', ['2026-05-18'], None, None),
    ('f1e0981425ec38be.md', 'trước ngày 30/11 hàng năm', 'periodic', [], 'P1Y', '2030-12-31', {'on': '--11-30'}),
    ('f1e0981425ec38be.md', 'Năm 2027', 'once', ['2027-12-31'], None, None),
    ('f1e0981425ec38be.md', 'Năm 2028', 'once', ['2028-12-31'], None, None),
    ('f1e0981425ec38be.md', 'Năm 2029', 'once', ['2029-12-31'], None, None),
    ('f1e0981425ec38be.md', 'Năm 2030', 'once', ['2030-12-31'], None, None),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'tháng 11 năm 2023', 'once', ['2023-11-30'], None, None),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'năm 2024', 'once', ['2024-12-31'], None, None),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Quý I năm 2024', 'once', ['2024-03-31'], None, None),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Thường xuyên trong năm', 'ongoing', [], None, '2024-12-31'),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'trong năm 2024', 'once', ['2024-12-31'], None, None),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Quý II năm 2024', 'once', ['2024-06-30'], None, None),
    ('quangngai-vp-2024-de-xuat-cchc.md', 'Quý III năm 2024', 'once', ['2024-09-30'], None, None),
    ('lamdong-2026-kh-cchc.docx', 'định kỳ hằng tuần', 'periodic', [], 'P1W', '2030-12-31'),
    ('lamdong-2026-kh-cchc.docx', 'trong quý I năm 2026', 'once', ['2026-03-31'], None, None),
    ('lamdong-2026-kh-cchc.docx', 'chậm nhất là ngày 15/4/2026', 'once', ['2026-04-15'], None, None),
    ('lamdong-2026-kh-cchc.docx', 'tháng 3 năm 2026', 'once', ['2026-03-31'], None, None),
    ('lamdong-2026-kh-cchc.docx', 'định kỳ hằng tháng', 'periodic', [], 'P1M', '2030-12-31'),
    ('lamdong-2026-kh-cchc.docx', 'chậm nhất là ngày 31/12 năm trước liền kề', 'periodic', [], 'P1Y', '2030-12-31', {'on': '--12-31'}),
    ('lamdong-2026-kh-cchc.docx', 'trong tháng 01 hằng năm', 'periodic', [], 'P1Y', '2030-12-31', {'on': '--01-31'}),
    ('lamdong-2026-kh-cchc.docx', 'Trong quý I năm 2026', 'once', ['2026-03-31'], None, None),
    ('lamdong-2026-kh-cchc.docx', 'Bắt đầu thực hiện từ năm 2026', 'ongoing', [], None, '2030-12-31'),
    ('lamdong-2026-kh-cchc.docx', 'trong tháng 6 hằng năm', 'periodic', [], 'P1Y', '2030-12-31', {'on': '--06-30'}),
    ('lamdong-2026-kh-cchc.docx', 'trong tháng 8 hằng năm', 'periodic', [], 'P1Y', '2030-12-31', {'on': '--08-31'}),
    ('lamdong-2026-kh-cchc.docx', 'trong tháng 9 hằng năm', 'periodic', [], 'P1Y', '2030-12-31', {'on': '--09-30'}),
    ('lamdong-2026-kh-cchc.docx', 'Trước ngày 05 của tháng liền kề', 'periodic', [], 'P1M', '2030-12-31', {'on': '---05'}),
    ('luongminh-2025-kh16-baucu.docx', 'Dự kiến tháng 11/2025', 'once', ['2025-11-30'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Tháng 11/2025', 'once', ['2025-11-30'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Chậm nhất ngày 10/12/2025', 'once', ['2025-12-10'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Chậm nhất ngày 03/02/2026', 'once', ['2026-02-03'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Chậm nhất ngày 20/02/2026', 'once', ['2026-02-20'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Quý IV/2025', 'once', ['2025-12-31'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Quý I/2026', 'once', ['2026-03-31'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'Từ tháng 12/2025 đến quý I/2026', 'once', ['2026-03-31'], None, None, {'start': '2025-12-01'}),
    ('luongminh-2025-kh16-baucu.docx', 'Từ tháng 11/2025 đến tháng 4/2026', 'once', ['2026-04-30'], None, None, {'start': '2025-11-01'}),
    ('luongminh-2025-kh16-baucu.docx', 'Từ tháng 11/2025 đến quý I/2026', 'once', ['2026-03-31'], None, None, {'start': '2025-11-01'}),
    ('luongminh-2025-kh16-baucu.docx', 'Tháng 4/2026', 'once', ['2026-04-30'], None, None),
    ('luongminh-2025-kh16-baucu.docx', 'tháng 11/2025 đến tháng 4/2026', 'once', ['2026-04-30'], None, None, {'start': '2025-11-01'}),
    ('3a2db039af8c2d05.md', 'từ ngày 08 đến ngày 10 tháng 12 năm 2025', 'once', ['2025-12-10'], None, None, {'start': '2025-12-08'}),
    ('1796a553dfee88ef.md', 'Trong thời hạn chậm nhất 15 ngày làm việc', 'unresolved', [], None, None, {'reason': 'duration'}),
]


def _source_path(name: str) -> Path:
    plans = SHARED / "plans" / name
    return plans if plans.exists() else SHARED / "corpus" / name


@cache
def _source_text(name: str) -> str:
    path = _source_path(name)
    if path.suffix == ".docx":
        import docx  # python-docx, already the Word reader's dependency

        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        text = "\n".join(parts)
    else:
        text = path.read_text(encoding="utf-8")
    return " ".join(text.replace("*", "").split())


def test_the_table_is_large_enough_to_judge_the_grammar() -> None:
    assert len(PHRASES) >= 150
    assert len({row[1] for row in PHRASES}) == len(PHRASES)  # no phrase counted twice


@pytest.mark.skipif(not SHARED.is_dir(), reason=NO_SHARED)
@pytest.mark.parametrize("row", PHRASES, ids=[f"{r[0][:12]}:{r[1][:40]}" for r in PHRASES])
def test_a_real_phrase_reads_as_its_schedule(row: tuple) -> None:
    source, phrase, kind, due, every, until, *extra = row
    assert phrase in _source_text(source), f"{phrase!r} is not in {source}"
    schedule = parse_deadline(phrase, PlanYears(*YEARS[source])).to_dict()
    schedule.pop("text", None)
    assert schedule == {"kind": kind, "due": due, "every": every, "until": until, **(extra[0] if extra else {})}
