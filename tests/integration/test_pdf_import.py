"""PDF and scans: a text PDF is read with its table; a scanned PDF and an image go
through Tesseract (Vietnamese) page by page and read as the text does. The tests
make their own files: a plan written to a text PDF, and the same plan rendered to
page images (a scan). OCR needs Debian's tesseract-ocr and tesseract-ocr-vie
(scripts/setup.sh installs them); without them these tests skip, saying so."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adapters.readers import pdf, read_blocks
from adapters.readers.errors import UnreadableFile
from engine.importing import UnitDirectory, parse_blocks
from tests.support.import_scoring import PLANS, SCORER, expected_of, import_json, report, score
from tests.support.pdf_plans import PAGE_BREAK, scan_pages, scanned_pdf, text_pdf

needs_ocr = pytest.mark.skipif(shutil.which("tesseract") is None,
                               reason="Tesseract is not installed (scripts/setup.sh installs tesseract-ocr-vie)")

PLAN = """ỦY BAN NHÂN DÂN HUYỆN THỬ NGHIỆM
Số: 45/KH-UBND
Thử Nghiệm, ngày 12 tháng 3 năm 2026
KẾ HOẠCH
Cải cách thủ tục hành chính năm 2026
I. MỤC ĐÍCH, YÊU CẦU
Nâng cao chất lượng phục vụ người dân.
II. NHIỆM VỤ
1. Rà soát, công bố danh mục thủ tục hành chính cấp huyện
- Cơ quan chủ trì: Phòng Nội vụ.
- Cơ quan phối hợp: Văn phòng HĐND và UBND huyện.
- Thời gian hoàn thành: Quý II năm 2026.
2. Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính
- Cơ quan chủ trì: Trung tâm Phục vụ hành chính công huyện.
- Thời gian hoàn thành: Tháng 9/2026.
III. TỔ CHỨC THỰC HIỆN
Phòng Nội vụ theo dõi, đôn đốc, báo cáo kết quả thực hiện.""".splitlines()

TABLE = [["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"],
         ["3", "Tập huấn kỹ năng tiếp nhận hồ sơ trực tuyến", "Phòng Văn hóa và Thông tin", "Quý III năm 2026"]]


def _summary(blocks) -> list[tuple[str, str, list[str], list[str]]]:
    result = parse_blocks(blocks, UnitDirectory([]))
    return [(t.ref, t.title, [u.name for u in t.lead], t.schedule.to_dict()["due"]) for t in result.tasks]


def test_a_text_pdf_is_read_with_its_table(tmp_path: Path) -> None:
    blocks = read_blocks(text_pdf(PLAN, tmp_path / "ke-hoach.pdf", TABLE))
    assert any(b.is_row and b.cells[0] == "3" for b in blocks)
    result = parse_blocks(blocks, UnitDirectory([]))
    assert (result.plan.number, str(result.plan.issued_on)) == ("45/KH-UBND", "2026-03-12")
    assert _summary(blocks) == [
        ("1", "Rà soát, công bố danh mục thủ tục hành chính cấp huyện", ["Phòng Nội vụ"], ["2026-06-30"]),
        ("2", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", ["Trung tâm Phục vụ hành chính công huyện"],
         ["2026-09-30"]),
        ("3", "Tập huấn kỹ năng tiếp nhận hồ sơ trực tuyến", ["Phòng Văn hóa và Thông tin"], ["2026-09-30"]),
    ]
    assert result.plan.monitor is not None and result.plan.monitor.name == "Phòng Nội vụ"


@needs_ocr
def test_a_scanned_pdf_reads_as_its_text_page_by_page(tmp_path: Path) -> None:
    """No text layer: OCR, with progress after each page, diacritics kept."""
    pages: list[tuple[int, int]] = []
    two_pages = [*PLAN[:7], PAGE_BREAK, *PLAN[7:]]
    scan = read_blocks(scanned_pdf(two_pages, tmp_path / "scan.pdf"), lambda done, total: pages.append((done, total)))
    assert pages == [(1, 2), (2, 2)]
    text = read_blocks(text_pdf(PLAN, tmp_path / "text.pdf"))
    assert _summary(scan) == _summary(text)


@needs_ocr
def test_a_scanned_image_is_read(tmp_path: Path) -> None:
    path = tmp_path / "trang-1.png"
    scan_pages(PLAN)[0].save(path)
    assert _summary(read_blocks(path))[0][:3] == (
        "1", "Rà soát, công bố danh mục thủ tục hành chính cấp huyện", ["Phòng Nội vụ"])


def test_a_pdf_over_the_page_limit_is_refused_before_any_page_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = scanned_pdf([*PLAN[:5], PAGE_BREAK, *PLAN[5:10], PAGE_BREAK, *PLAN[10:]], tmp_path / "dai.pdf")
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    monkeypatch.setattr(pdf, "ocr_text", lambda image: pytest.fail("a page was read"))
    with pytest.raises(UnreadableFile) as refused:
        read_blocks(path)
    assert refused.value.msgid == pdf.messages.TOO_MANY_PAGES


@needs_ocr
@pytest.mark.skipif(not SCORER.is_file(), reason=f"the sample plans are not here ({PLANS} is absent)")
def test_a_sample_rendered_to_a_scan_scores_within_3_points_of_its_text(
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
    plan = PLANS / "quangngai-vp-2024-khac-phuc-lanh-dao.txt"
    from_text, _ = score(expected_of(plan), import_json(plan), tmp_path)
    scan = scanned_pdf(plan.read_text(encoding="utf-8").splitlines(), tmp_path / f"{plan.stem}.pdf")
    from_scan, details = score(expected_of(plan), import_json(scan), tmp_path)
    report(request, "scan score", from_scan, details)
    assert from_scan >= from_text - 3, details
