"""What reading a scan costs: plan files printed as a printer prints them (tables
ruled) and scanned, then read by OCR page by page. For each file: pages, tables
rows found, the seconds to read and the seconds a page; then the totals.

    .venv/bin/python bench/scan_reading.py [FILE ...]     # default: ../shared/plans

Tesseract runs with one thread, as the server runs it. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from anywhere

from adapters.readers import read_blocks  # noqa: E402
from adapters.readers.pdf import page_count  # noqa: E402
from tests.support.pdf_plans import printed_scan  # noqa: E402

PLANS = ROOT.parent / "shared" / "plans"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or sorted(p for p in PLANS.glob("*") if p.suffix in (".txt", ".md", ".docx")
                                 and p.with_name(f"{p.stem}.expected.json").is_file())
    total_pages = total_seconds = 0.0
    print(f"{'file':40} {'pages':>5} {'rows':>5} {'s':>6} {'s/page':>6}")
    with tempfile.TemporaryDirectory(prefix="planflow-bench-scans-") as folder:
        for plan in files:
            scan = printed_scan(plan, Path(folder))
            pages = page_count(scan)
            started = time.perf_counter()
            blocks = read_blocks(scan)
            seconds = time.perf_counter() - started
            rows = sum(1 for b in blocks if b.is_row)
            total_pages, total_seconds = total_pages + pages, total_seconds + seconds
            print(f"{plan.name[:40]:40} {pages:5} {rows:5} {seconds:6.1f} {seconds / pages:6.1f}")
    if total_pages:
        print(f"\ntotal: {total_pages:.0f} pages in {total_seconds:.0f} s, {total_seconds / total_pages:.1f} s a page")


if __name__ == "__main__":
    main()
