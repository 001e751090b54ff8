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
