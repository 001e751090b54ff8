"""The licence check on a voice's model card: what may go into a pack, and why not."""

from __future__ import annotations

import pytest

from kiosk.speech.modelcard import CardRefused, judge_card

JOE = """# Model card for joe (medium)

* Language: en_US (English, United States)
* Speakers: 1

## Dataset

* URL: https://github.com/NabuCasa/voice-datasets
* License: CC0

## Training

Finetuned from U.S. English lessac voice (medium quality).
"""


def test_the_test_voice_is_refused_for_its_parent():
    with pytest.raises(CardRefused, match="lessac"):
        judge_card(JOE)


@pytest.mark.parametrize(
    ("card", "reason"),
    [
        ("# Model card\n\n* Language: nl_BE\n", "declares no licence"),
        ("* License: \n* License: unknown\n", "declares no licence"),
        ("* License: CC-BY-NC-4.0\n", "non-commercial licence"),
        ("* License: CC BY-NC-SA 4.0\n", "non-commercial licence"),
        ("* License: Research only\n", "non-commercial licence"),
        ("* License: proprietary, see website\n", "not one known to allow redistribution"),
        ("* License: CC0\n\nFine-tuned from fr_FR-upmc-medium.\n", "upmc"),
        ("* License: CC0\n\nFinetuned from en_US-libritts_r-medium\n", "libritts_r"),
        ("* License: CC-BY 4.0\n\nDataset: free for non-commercial use only\n", "restricts use"),
        ("* License: MIT\n\nFinetuned from a non-commercial voice\n", "non-commercial"),
    ],
)
def test_cards_that_do_not_allow_a_product_are_refused_with_the_reason(card, reason):
    with pytest.raises(CardRefused, match=reason):
        judge_card(card)


def test_a_card_with_a_free_licence_and_a_free_parent_passes():
    verdict = judge_card("* License: CC-BY 4.0 (https://example.org/x)\n\n## Training\n\nFinetuned from fr_FR-siwis.\n")
    assert verdict.licences == ("cc-by-4.0",)
    assert verdict.parent == "fr_FR-siwis"
    assert judge_card("* License: Public Domain\n").licences == ("cc0-1.0",)
    assert judge_card("* License: CC0\n* License: MIT\n").licences == ("cc0-1.0", "mit")
