"""`planflow plan import` on bad input: a Vietnamese message on stderr, a non-zero exit.

The readers raise English msgids; the CLI shows them through the `vi` catalogue.
Storing a plan is tested on a database in tests/integration/test_import_cli.py."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.readers import MAX_BYTES
from web.cli import main

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"


def _import(path: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["plan", "import", str(path), *options])
    return result.exit_code, result.stderr


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _too_large(tmp_path: Path) -> Path:
    path = tmp_path / "lon.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: no 10 MB written
    return path


def _zip_named_txt(tmp_path: Path) -> Path:
    path = tmp_path / "ke-hoach.txt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda tmp: _file(tmp, "rong.txt", b""), "Tệp rỗng"),
        (lambda tmp: _file(tmp, "trang.md", b"  \n\n  \n"), "không có nội dung"),
        (lambda tmp: _file(tmp, "ke-hoach.docx", "Kế hoạch\n1. Nhiệm vụ".encode()), "không phải là tệp Word"),
        (lambda tmp: _zip_named_txt(tmp), "không phải là văn bản"),
        (lambda tmp: _file(tmp, "ke-hoach.pdf", b"%PDF-1.4"), "Tệp .pdf này bị hỏng"),
        (lambda tmp: _file(tmp, "trang-scan.png", b"not an image"), "Không đọc được ảnh này"),
        (lambda tmp: _file(tmp, "ke-hoach.doc", b"\xd0\xcf\x11\xe0"), "Không hỗ trợ loại tệp"),
        (_too_large, "Tệp quá lớn"),
        (lambda tmp: tmp / "khong-co.txt", "Không tìm thấy"),
        (lambda tmp: _file(tmp, "thu.md", "Kính gửi: Sở Nội vụ\n\nĐề nghị báo cáo đúng hạn.".encode()),
         "Không tìm thấy nhiệm vụ"),
    ],
    ids=["empty", "blank", "docx-not-zip", "txt-is-zip", "pdf", "png", "doc", "too-large", "missing", "no-task"],
)
def test_bad_input_is_refused_in_vietnamese(tmp_path: Path, make, message: str) -> None:
    code, stderr = _import(make(tmp_path), "--dry-run", "--json")
    assert code != 0
    assert message in stderr


def test_a_good_plan_is_read() -> None:
    result = CliRunner().invoke(main, ["plan", "import", str(PLANS / "numbered_list.md"), "--dry-run"])
    assert result.exit_code == 0 and "58/KH-UBND" in result.stdout


def test_a_zip_bomb_named_docx_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    """40 MB of XML packed into a few kilobytes: refused from the archive's directory."""
    path = tmp_path / "bom.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            for _ in range(40):
                member.write(b" " * (1024 * 1024))
    assert path.stat().st_size < 200_000
    code, stderr = _import(path, "--dry-run", "--json")
    assert code != 0 and "nhiều hơn một kế hoạch" in stderr


def test_a_document_of_too_many_paragraphs_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import adapters.readers as readers

    monkeypatch.setattr(readers, "MAX_BLOCKS", 50)
    path = _file(tmp_path, "dai.txt", "\n\n".join(f"{n}. Nhiệm vụ số {n}" for n in range(1, 80)).encode())
    code, stderr = _import(path, "--dry-run", "--json")
    assert code != 0 and "giới hạn là 50" in stderr
