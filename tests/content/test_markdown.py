"""The answer dialect's HTML for right-to-left languages: Latin asides in brackets are set apart."""

from __future__ import annotations

import sqlite3

from kiosk.content.markdown import isolate_latin_asides

FSI, PDI, NBSP = "\u2068", "\u2069", "\u00a0"


def test_a_latin_aside_in_brackets_is_isolated_and_kept_on_one_line():
    html = "<p>اسألوا وكالة الاندماج (Agentschap Integratie en Inburgering) هل ينطبق.</p>"
    assert isolate_latin_asides(html) == (
        f"<p>اسألوا وكالة الاندماج {FSI}(Agentschap{NBSP}Integratie{NBSP}en{NBSP}Inburgering){PDI} هل ينطبق.</p>"
    )


def test_brackets_with_arabic_in_them_tags_and_attributes_are_left_alone():
    html = '<p>(جزء رابع) <a href="x(y)">نص</a> <strong>(1)</strong> (Fedasil، الوكالة)</p>'
    assert isolate_latin_asides(html) == html


def test_the_build_sets_asides_apart_in_right_to_left_answers_only(shipped_guide):
    conn = sqlite3.connect(shipped_guide)
    ar, nl = (conn.execute("SELECT body_html FROM answers WHERE question_id = 'inburgering' AND lang = ?", (lang,))
              .fetchone()[0] for lang in ("ar", "nl"))  # fmt: skip
    assert f"{FSI}(Agentschap{NBSP}Integratie{NBSP}en{NBSP}Inburgering){PDI}" in ar
    assert f"{FSI}(" not in nl  # (a fact's figure is isolated in every language: that is another matter)
    text = conn.execute("SELECT body_text FROM answers WHERE question_id = 'inburgering' AND lang = 'ar'").fetchone()[0]
    # the plain text is the HTML's text, character for character: the voice lights up the words on screen
    assert f"{FSI}(Agentschap{NBSP}Integratie{NBSP}en{NBSP}Inburgering){PDI}" in text


# --- reading most answers from their HTML: the same problems, HTML and text as the parser's tree ---------------
def test_every_shipped_answer_is_read_from_its_html_as_its_tree_reads_it():
    from kiosk import paths
    from kiosk.content.markdown import _analyse_html, _analyse_tree

    bodies = [path.read_text(encoding="utf-8").split("\n---\n", 1)[1].strip("\n")
              for path in sorted(paths.content_dir().glob("lang/*/answers/*.md"))]  # fmt: skip
    assert len(bodies) > 500
    for body in bodies:
        quick = _analyse_html(body)
        assert quick is not None, body  # the quick way takes every answer the guide has ...
        assert quick == _analyse_tree(body), body  # ... and reads it as the tree does


def test_random_markdown_is_read_from_its_html_as_its_tree_reads_it_or_left_to_the_tree():
    """Every construct, allowed or not, in random order: where the quick way gives an answer it is the tree's, and
    where the tree finds a problem the quick way gives none (it leaves the answer to the tree)."""
    import random

    from kiosk.content.markdown import _analyse_html, _analyse_tree

    pieces = ["word", "وال", "ሰላም", "слово", "სიტყვა", " ", "  ", "\n", "\n\n", "**", "*", "_", "__", "\\*", "\\",
              "&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&#60;", "&#0;", "&copy;", "&", '"', "'", "(", ")", ">",
              '[x](http://y "t")', "[x](http://y)", "[ref]", "[ref]: http://z\n", "- ", "* ", "+ ", "1. ", "3. ",
              "1) ", "    ", "  - ", "    - ", "      - ", "        - ", "### ", "#### ", "###### ", "# ", "## ",
              "`", "```\n", "~~~", "![a](b)", "> ", "---\n", "***\n", "===\n", "\\\n", "  \n", "\t", "2026",
              "1.760,83", "\u00a0", "\u200f", ":", "a|b\n-|-\n"]  # fmt: skip
    rng = random.Random(11)
    quick_ones = refused = 0
    for _ in range(30_000):
        markdown = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        quick, tree = _analyse_html(markdown), _analyse_tree(markdown)
        if quick is not None:
            quick_ones += 1
            assert quick == tree, markdown
        refused += bool(tree.problems)
    assert quick_ones > 5_000 and refused > 5_000  # both ways were really tried
