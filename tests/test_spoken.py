"""What the synthesiser is handed: plain quotes, a pause for a dash, no bullets or odd spaces."""

from __future__ import annotations

import pytest

from kiosk.content.spoken import spoken_form


@pytest.mark.parametrize(
    ("display", "spoken"),
    [
        ("There isn’t one test.", "There isn't one test."),
        ("Carve out some “me time” each day.", 'Carve out some "me time" each day.'),
        (
            "the overall risk is very low—most won't develop ALS",
            "the overall risk is very low, most won't develop ALS",
        ),
        (
            "a type of neurotransmitter – it sends signals",
            "a type of neurotransmitter, it sends signals",
        ),
        ("your voluntary muscles -- the ones you use", "your voluntary muscles, the ones you use"),
        (
            "bike—along with range of motion exercises—can help",
            "bike, along with range of motion exercises, can help",
        ),
        ("between the ages of 55–75", "between the ages of 55 to 75"),
        ("Christopher Melinosky,\u00a0MD", "Christopher Melinosky, MD"),
        ("  •\u00a0Muscle cramps\u00a0 ", "Muscle cramps"),
        ("low-impact, well-being, 617-441-7200", "low-impact, well-being, 617-441-7200"),
        ("it stops—.", "it stops."),
    ],
    ids=[
        "apostrophe",
        "double-quotes",
        "em-dash",
        "spaced-en-dash",
        "double-hyphen",
        "paired-em-dashes",
        "number-range",
        "nbsp",
        "bullet",
        "hyphens-kept",
        "dash-before-stop",
    ],
)
def test_spoken_form(display: str, spoken: str) -> None:
    assert spoken_form(display) == spoken


def test_spoken_form_is_idempotent_on_plain_text() -> None:
    plain = "ALS is progressive, meaning symptoms get worse over time."
    assert spoken_form(plain) == plain
    assert spoken_form(spoken_form("a—b “c”")) == spoken_form("a—b “c”")
