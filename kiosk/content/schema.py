"""Facts about the guide database shared by the build and the read API (kept import-free: start-up reads it)."""

SCHEMA_VERSION = 3  # 2: facts, fact_texts, answer_facts, question_aliases (issue #13); 3: answer_versions,
# recording_marks (issue #16)
SEARCH_WEIGHTS = (10.0, 4.0, 1.0)  # question, short answer, full answer


def search_table(lang: str) -> str:
    """Name of the per-language search table (its FTS5 index is ``<name>_fts``)."""
    return "search_" + lang.replace("-", "_")

# The keyboard every non-Latin search keyboard can switch to ("ABC"): answers name things in Latin letters.
LATIN_KEYBOARD = "latin-en"

# Prefix lengths FTS5 keeps an index for (the first letters typed match the most words; issue #17)
SEARCH_PREFIXES = "1 2"
