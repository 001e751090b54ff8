"""`wegwijzer content review-sheet`: the source beside a translation on paper (kiosk.tools.review_sheet)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from PySide6.QtPdf import QPdfDocument

from kiosk import paths
from kiosk.cli import main
from kiosk.tools.review_sheet import sheet, write_pdf


def _open(path) -> QPdfDocument:
    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    return doc


def _box(doc: QPdfDocument, page: int, needle: str):
    """Where ``needle`` is drawn on ``page`` (points), found through the PDF's own text."""
    text = doc.getAllText(page).text()
    start = text.index(needle)
    selection = doc.getSelectionAtIndex(page, start, len(needle))
    assert selection.isValid(), needle
    return selection.boundingRectangle()


@pytest.fixture(scope="module")
def arabic(tmp_path_factory):
    out = tmp_path_factory.mktemp("sheet") / "ar.pdf"
    content = sheet(paths.content_dir(), "ar")
    return content, out, write_pdf(content, out, paths.fonts_dir())


def test_every_answer_starts_a_page_with_its_state(qapp, arabic):
    content, out, (firsts, total) = arabic
    doc = _open(out)
    answers = sorted(p.stem for p in (paths.content_dir() / "lang/nl/answers").glob("*.md"))
    assert len(content.pages) == len(answers) and doc.pageCount() == total
    for number, (qid, first) in enumerate(zip(answers, firsts, strict=True), start=1):
        header = doc.getAllText(first).text()
        assert f"Answer {number} of {len(answers)}: {qid}" in header and "machine translation" in header
    # a long answer continues on the next page (never set below 8 points) and says so
    for index, first in enumerate(firsts):
        end = firsts[index + 1] if index + 1 < len(firsts) else total
        for page in range(first + 1, end):
            assert f"{answers[index]} (continued)" in doc.getAllText(page).text()


def test_the_translation_is_right_aligned_beside_the_dutch(qapp, arabic):
    _, out, (firsts, _) = arabic
    doc = _open(out)
    page = firsts[1]  # 'accident'
    width = doc.pagePointSize(page).width()
    dutch = _box(doc, page, "Wat als ik een ongeval heb")
    arabic_question = _box(doc, page, "تعرضت")  # one word: the PDF's text layer orders Arabic words its own way
    assert dutch.left() < width * 0.15 and dutch.right() < width / 2
    assert arabic_question.left() > width / 2 and arabic_question.right() > width * 0.8  # right-aligned
    # the sources keep their addresses whole and in their own direction
    assert "http://apw.be/actions/volontariat/" in doc.getAllText(page).text().replace("\r\n", "")
    assert _box(doc, page, "Wallonië").left() < width / 2 < _box(doc, page, "والونيا").left()


def test_the_bundled_fonts_are_embedded(qapp, arabic, tmp_path):
    _, out, _ = arabic
    assert b"NotoSansArabic" in out.read_bytes()
    ti = tmp_path / "ti.pdf"
    result = CliRunner().invoke(main, ["content", "review-sheet", "ti", "--out", str(ti)])
    assert result.exit_code == 0, result.output
    data = ti.read_bytes()
    assert b"NotoSansEthiopic" in data and b"NotoSans-" in data
    doc = _open(ti)
    answer = (paths.content_dir() / "lang/ti/answers/accident.md").read_text(encoding="utf-8")
    question = answer.split("question: ", 1)[1].split("\n", 1)[0].strip('"')
    assert question[:12] in doc.getAllText(1).text()  # Ethiopic text drawn as text, with its font
