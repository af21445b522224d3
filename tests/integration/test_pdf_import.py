"""PDF and scans: a text PDF is read with its table; a scanned PDF and an image go
through Tesseract (Vietnamese) page by page and read as the text does. The tests
make their own files: a plan written to a text PDF, and the same plan rendered to
page images (a scan); every sample plan of ../shared printed and scanned. OCR needs
Debian's tesseract-ocr and tesseract-ocr-vie (scripts/setup.sh installs them);
without them these tests skip, saying so. The printed samples are kept in pytest's
cache (.pytest_cache) when it is on, so a second run only reads them."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adapters.readers import pdf, read_blocks
from adapters.readers.errors import UnreadableFile
from engine.importing import Block, UnitDirectory, parse_blocks
from adapters.storage import Storage
from engine.importing import plan_import
from tests.support.import_scoring import demo_office_database, expected_of, import_json, report, sample_plans, score
from tests.support.pdf_plans import PAGE_BREAK, printed_pdf, printed_scan, scan_pages, scanned_pdf, text_pdf

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


@needs_ocr
@pytest.mark.parametrize("askew", [0, 1.5], ids=["straight", "fed-askew"])
def test_a_scanned_table_is_read_row_by_row_and_cell_by_cell(askew: float, tmp_path: Path) -> None:
    """A printed table's ruled cells are its cells: each row a row, each cell's text
    whole however it wraps, the lone numbers of the number column read too; a page
    scanned a degree and a half askew is turned straight first."""
    blocks = [
        Block.paragraph("KẾ HOẠCH"),
        Block.paragraph("Cải cách thủ tục hành chính năm 2026"),
        *(Block.row(cells) for cells in [
            ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"],
            ["I", "Kiểm soát thủ tục hành chính", "", ""],
            ["1", "Rà soát, công bố danh mục thủ tục hành chính cấp huyện, hoàn thành việc công khai trên "
                  "Cổng dịch vụ công", "Phòng Nội vụ", "Quý II năm 2026"],
            ["2", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "Trung tâm Phục vụ hành chính công huyện",
             "Tháng 9/2026"],
        ]),
        Block.paragraph("Phòng Nội vụ theo dõi, đôn đốc việc thực hiện."),
    ]
    read = read_blocks(printed_pdf(blocks, tmp_path / "bang.pdf", askew))
    rows, written = [b for b in read if b.is_row], [b for b in blocks if b.is_row]
    # Every cell as written, but the heading's "STT", which OCR may read "SIT": the
    # parser knows the columns by their labels all the same.
    assert [rows[0].cells[1:], *rows[1:]] == [written[0].cells[1:], *written[1:]]
    assert _summary(read) == _summary(blocks)
    # The text above and below stays there (OCR may join the two short lines above).
    assert read[0].text.startswith("KẾ HOẠCH") and read[-1] == blocks[-1]


def test_a_pdf_over_the_page_limit_is_refused_before_any_page_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = scanned_pdf([*PLAN[:5], PAGE_BREAK, *PLAN[5:10], PAGE_BREAK, *PLAN[10:]], tmp_path / "dai.pdf")
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    monkeypatch.setattr(pdf.ocr, "page_blocks", lambda image: pytest.fail("a page was read"))
    with pytest.raises(UnreadableFile) as refused:
        read_blocks(path)
    assert refused.value.msgid == pdf.messages.TOO_MANY_PAGES


@pytest.fixture(scope="module")
def demo_office(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_office_database(tmp_path_factory.mktemp("demo-office"))


@needs_ocr
@pytest.mark.parametrize("plan", sample_plans((".txt", ".md", ".docx")))
def test_a_sample_printed_and_scanned_scores_within_3_points_of_its_text(
        plan: Path, demo_office: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Each sample printed as a printer prints it (its tables ruled) and scanned, read by
    OCR once, then read as a new office (no units) and as the demo office, as
    `plan import --dry-run` reads: each way within 3 points of the text form."""
    # Kept in pytest's cache for later runs; printed anew where the cache is off (make test).
    cache = getattr(request.config, "cache", None)
    scan = printed_scan(plan, cache.mkdir("printed-scans") if cache else tmp_path)
    blocks = read_blocks(scan)
    for office, url in (("empty directory", None), ("demo directory", demo_office)):
        from_text, _ = score(expected_of(plan), import_json(plan, url), tmp_path)
        from_scan, details = score(expected_of(plan), _dry_run(scan, blocks, url), tmp_path)
        report(request, f"scan score ({office}; text {from_text:.1f}%)", from_scan, details)
        assert from_scan >= from_text - 3, f"{office}: text {from_text}%, scan {from_scan}%\n{details}"


def _dry_run(scan: Path, blocks: list, database_url: str | None) -> str:
    """What `plan import SCAN --dry-run --json` prints, from the scan's blocks already read."""
    storage = Storage(database_url) if database_url else None
    try:
        result = plan_import.read_plan(storage.uow() if storage else None, scan, scan.name, lambda *_: blocks)
    finally:
        if storage:
            storage.engine.dispose()
    return result.to_json()
