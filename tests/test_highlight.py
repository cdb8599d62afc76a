"""The Reader's reading marks as Kivy markup (pure functions, no window)."""

from __future__ import annotations

import pytest

from kiosk.content import Text
from kiosk.highlight import highlighted_markup


def test_plain_text_is_escaped_and_lead_in_is_bold():
    assert highlighted_markup(Text("a [b] & c", lead="Age:")) == "[b]Age:[/b] a &bl;b&br; &amp; c"


def test_sentence_and_word_are_marked_with_refs_and_word_colour():
    text = Text("First one. Second one here.")
    markup = highlighted_markup(text, (11, 27), (18, 21), "000000")
    assert markup == ("First one. [ref=sentence]Second [ref=word][color=#000000]one[/color][/ref]"
                      " here.[/ref]")


def test_marks_across_a_bold_lead_in_nest_properly_per_tag():
    text = Text("is the start.", lead="Age:")
    markup = highlighted_markup(text, (0, 18), (0, 4))
    assert markup.startswith("[b][ref=sentence][ref=word][color=#000000]Age:[/color][/ref][/b]")
    assert markup.endswith("start.[/ref]")


@pytest.mark.parametrize("sentence, word", [((-5, 99), (50, 80)), ((3, 3), None), ((4, 2), (0, 1))])
def test_out_of_range_marks_are_clamped_not_broken(sentence, word):
    markup = highlighted_markup(Text("Short text."), sentence, word)
    assert markup.count("[ref=") == markup.count("[/ref]")
    assert markup.replace("[ref=sentence]", "").replace("[/ref]", "").replace(
        "[ref=word][color=#000000]", "").replace("[/color]", "") == "Short text."
