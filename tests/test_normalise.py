"""The exact text handed to espeak-ng, and the map from it back to the display text."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from kiosk.content.loader import load_library
from kiosk.content.spoken import spoken_form
from kiosk.paths import CONTENT_DIR
from kiosk.speech.lexicon import Lexicon, load_lexicon
from kiosk.speech.normalise import Spoken, normalise
from kiosk.speech.sentences import split_sentences

LEXICON, LEXICON_PROBLEMS = load_lexicon()


def said(display: str, lexicon: Lexicon = LEXICON) -> str:
    return normalise(display, lexicon).text


def test_the_shipped_lexicon_is_usable() -> None:
    assert LEXICON_PROBLEMS == []


# --- what is said ----------------------------------------------------------------------------

LEXICON_CASES = [
    ("People with ALS.", "People with eh-L-S."),
    ("ALS's progression", "eh-L-S's progression"),
    ("ALS’s progression", "eh-L-S's progression"),
    ("two ALSs", "two eh-L-S's"),
    ("als and ALSO stay", "als and ALSO stay"),
    ("Some develop FTD-ALS.", "Some develop F-T-D-eh-L-S."),
    ("Familial ALS (FALS) runs in families.", "Familial eh-L-S (F-eh-L-S) runs in families."),
    ("The goals of NINDS's ALS research", "The goals of N-I-N-D-S's eh-L-S research"),
    ("NINDS-funded scientists", "N-I-N-D-S-funded scientists"),
    ("the NIH and the FDA and the CDC", "the N-I-H and the F-D-eh and the C-D-C"),
    (
        "C9orf72, SOD1, SPTLC1, TDP-43 and FUS",
        "C 9 orf 72, S-O-D 1, S-P-T-L-C 1, T-D-P 43 and F-U-S",
    ),
    ("called SOD1.", "called S-O-D 1."),
    ("Noninvasive ventilation (NIV) or BiPAP", "Noninvasive ventilation (N-I-V) or bye pap"),
    ("MND, PLS and PMA", "M-N-D, P-L-S and P-M-eh"),
    ("an EMG and an MRI", "an E-M-G and an M-R-I"),
    ("through an IV", "through an I-V"),
    ("mobile BCIs", "mobile B-C-I's"),
    ("the ALSA and the MDA", "the eh-L-S-eh and the M-D-eh"),
    ("Radicava ORS", "Radicava O-R-S"),
    ("Lou Gehrig's disease", "Lou gherrig's disease"),
    ("I AM ALS and I Am ALS", "I am eh-L-S and I am eh-L-S"),
    ("Christopher Melinosky, MD", "Christopher Melinosky, M-D"),
    (
        "Riluzole (Rilutek) and riluzole and RILUZOLE",
        "rillyuzole (Rilutek) and rillyuzole and rillyuzole",
    ),
    ("Edaravone (Radicava)", "a darra vone (Radicava)"),
    ("Tofersen (Qalsody)", "toe fursen (kal soady)"),
    ("Relyvrio, Exservan, Tiglutik", "relivrio, exservan, tih glootik"),
    (
        "Sodium phenylbutyrate/taurursodiol (Relyvrio)",
        "Sodium fennil butyrate and torur soadeeol (relivrio)",
    ),
    ("Ask Dr. Jones", "Ask doctor Jones"),
    ("some drugs, e.g. riluzole, i.e. pills", "some drugs, for example rillyuzole, that is pills"),
    ("E.g. this", "for example this"),
    ("The U.S. Food and Drug Administration", "The U-S Food and Drug Administration"),
    ("people with ALS in the U.S.", "people with eh-L-S in the U-S."),
    ("cramps, spasms, etc. may", "cramps, spasms, et cetera may"),
    ("cramps, spasms, etc.", "cramps, spasms, et cetera."),
    ("(cramps, etc.)", "(cramps, et cetera.)"),
    ("rest vs. exercise", "rest versus exercise"),
    ("Born Jan. 5", "Born January 5"),
    ("Publication No. 25-NS-916.", "Publication number 25-NS-916."),
    ("Is there a cure? No.", "Is there a cure? No."),
]

NUMBER_CASES = [
    ("Call 1-800-352-9424.", "Call 1, 8 0 0, 3 5 2, 9 4 2 4."),
    ("Call (800) 352-9424 today", "Call 8 0 0, 3 5 2, 9 4 2 4 today"),
    ("Call 1 (800) 352-9424", "Call 1, 8 0 0, 3 5 2, 9 4 2 4"),
    ("Call 301-496-5751", "Call 3 0 1, 4 9 6, 5 7 5 1"),
    ("Call 800.352.9424", "Call 8 0 0, 3 5 2, 9 4 2 4"),
    ("The ALS Association: 800-782-4747", "The eh-L-S Association: 8 0 0, 7 8 2, 4 7 4 7"),
    ("between the ages of 55 and 75.", "between the ages of 55 and 75."),
    ("3-5 years", "3 to 5 years"),
    ("3–5 years", "3 to 5 years"),
    ("3 - 5 years", "3 to 5 years"),
    ("between the ages of 55–75", "between the ages of 55 to 75"),
    ("from 2021-2024", "from 2021 to 2024"),
    ("About 10% of cases", "About 10 percent of cases"),
    ("about 25% to 40% of", "about 25 percent to 40 percent of"),
    ("about 25%-40% of", "about 25 percent to 40 percent of"),
    ("about 10 % of", "about 10 percent of"),
    ("30,000 people", "30000 people"),
    ("1,000,000 cells", "1000000 cells"),
    ("12,345.67 units", "12345.67 units"),
    ("2.5 times", "2.5 times"),
    ("1.5-2.5 times", "1.5 to 2.5 times"),
    ("about 1 in 10 people survive for 10 years", "about 1 in 10 people survive for 10 years"),
    ("In 2021, 3,000 people", "In 2021, 3000 people"),
    ("in 1869", "in 1869"),
    ("on 2023-05-01", "on 2023-05-01"),
    ("COVID-19 and TDP-43", "COVID-19 and T-D-P 43"),
    ("a 1/2 dose", "a 1/2 dose"),
    ("5, 10, 15", "5, 10, 15"),
]

SYMBOL_CASES = [
    ("Friends & family", "Friends and family"),
    ("R&D", "R and D"),
    ("and/or", "and or"),
    ("he/she", "he or she"),
    ("age 65+", "age 65 plus"),
    ("© WebMD", "copyright web M-D"),
    ("visit www.ninds.nih.gov today", "visit w w w dot N-I-N-D-S dot N-I-H dot gov today"),
    (
        "see https://www.alsa.org/get-help.",
        "see w w w dot eh-L-S-eh dot org slash get-help.",
    ),
    ("at ClinicalTrials.gov, a database", "at ClinicalTrials dot gov, a database"),
    ("write to info@als.org.", "write to info at eh-L-S dot org."),
]

SPOKEN_FORM_CASES = [
    ("There isn’t one test.", "There isn't one test."),
    ("Carve out some “me time” each day.", 'Carve out some "me time" each day.'),
    ("very low—most won't develop ALS", "very low, most won't develop eh-L-S"),
    ("a neurotransmitter – it sends signals", "a neurotransmitter, it sends signals"),
    ("your muscles -- the ones you use", "your muscles, the ones you use"),
    ("bike—along with exercises—can help", "bike, along with exercises, can help"),
    ("Christopher\u00a0Melinosky,\u00a0MD", "Christopher Melinosky, M-D"),
    ("  •\u00a0Muscle cramps\u00a0 ", "Muscle cramps"),
    ("low-impact, well-being", "low-impact, well-being"),
    ("it stops—.", "it stops."),
    ("", ""),
    ("•", ""),
]


@pytest.mark.parametrize(("display", "spoken"), LEXICON_CASES)
def test_lexicon_words_and_abbreviations(display: str, spoken: str) -> None:
    assert said(display) == spoken


@pytest.mark.parametrize(("display", "spoken"), NUMBER_CASES)
def test_phone_numbers_ranges_and_numbers(display: str, spoken: str) -> None:
    assert said(display) == spoken


@pytest.mark.parametrize(("display", "spoken"), SYMBOL_CASES)
def test_symbols_and_addresses(display: str, spoken: str) -> None:
    assert said(display) == spoken


@pytest.mark.parametrize(("display", "spoken"), SPOKEN_FORM_CASES)
def test_quotes_dashes_bullets_and_spaces(display: str, spoken: str) -> None:
    assert said(display) == spoken


@pytest.mark.parametrize(
    "display",
    [case[0] for case in SPOKEN_FORM_CASES]
    + ["between the ages of 55–75", "a—b “c”", "x -- y—z", "one,, two , ."],
)
def test_without_a_lexicon_it_keeps_spoken_form_behaviour(display: str) -> None:
    assert said(display, Lexicon.empty()) == spoken_form(display)


@pytest.mark.parametrize(
    ("display", "spoken"),
    [
        ("People with ALS", "People with ALS"),
        ("Call 800-352-9424", "Call 8 0 0, 3 5 2, 9 4 2 4"),
        ("10% & 3-5", "10 percent and 3 to 5"),
        ("Dr. Smith", "Dr. Smith"),
    ],
)
def test_the_built_in_rules_work_without_a_lexicon(display: str, spoken: str) -> None:
    assert said(display, Lexicon.empty()) == spoken


def test_case_rule_of_a_custom_lexicon() -> None:
    lexicon = Lexicon(words={"ALS": "eh-L-S", "qalsody": "kal soady"})
    assert said("ALS, als, Als; Qalsody, QALSODY, qalsody's", lexicon) == (
        "eh-L-S, als, Als; kal soady, kal soady, kal soady's"
    )


def test_longest_entry_wins() -> None:
    lexicon = Lexicon(words={"ALS": "eh-L-S", "FTD-ALS": "frontotemporal eh-L-S"})
    assert said("FTD-ALS and ALS", lexicon) == "frontotemporal eh-L-S and eh-L-S"


def test_clinic_symbols_replace_the_usual_names() -> None:
    lexicon = Lexicon(symbols={"&": "plus also"})
    assert said("A&B, 10%", lexicon) == "A plus also B, 10%"


# --- the map back to the display --------------------------------------------------------------


def display_of(spoken: Spoken, word: str, occurrence: int = 0) -> str:
    """The display text behind the ``occurrence``-th ``word`` in the spoken text."""
    starts = [m.start() for m in re.finditer(re.escape(word), spoken.text)]
    start = starts[occurrence]
    a, b = spoken.display_range(start, start + len(word))
    return spoken.display[a:b]


def test_a_respelled_word_maps_to_the_word_it_replaced() -> None:
    spoken = normalise("Tofersen (Qalsody) helps people with ALS’s SOD1 form.", LEXICON)
    assert spoken.text == "toe fursen (kal soady) helps people with eh-L-S's S-O-D 1 form."
    assert display_of(spoken, "toe") == "Tofersen"
    assert display_of(spoken, "fursen") == "Tofersen"
    assert display_of(spoken, "kal soady") == "Qalsody"
    assert display_of(spoken, "eh-L-S") == "ALS"
    assert display_of(spoken, "eh-L-S's") == "ALS’s"
    assert display_of(spoken, "S-O-D 1") == "SOD1"
    assert display_of(spoken, "people") == "people"
    assert display_of(spoken, "form.") == "form."


def test_each_phone_digit_group_maps_to_its_group() -> None:
    spoken = normalise("Call (800) 352-9424 now", LEXICON)
    assert spoken.text == "Call 8 0 0, 3 5 2, 9 4 2 4 now"
    assert display_of(spoken, "8 0 0") == "(800"
    assert display_of(spoken, "3 5 2") == "352"
    assert display_of(spoken, "9 4 2 4") == "9424"
    assert display_of(spoken, "now") == "now"


def test_a_single_spoken_character_inside_a_respelling_maps_to_the_whole_word() -> None:
    spoken = normalise("with ALS.", LEXICON)
    start = spoken.text.index("L")
    assert spoken.display_range(start, start + 1) == (5, 8)


def test_unchanged_characters_map_one_to_one() -> None:
    spoken = normalise("It’s  rare—most won’t.", LEXICON)
    assert spoken.text == "It's rare, most won't."
    assert [spoken.display_range(i, i + 1) for i in range(4)] == [(0, 1), (1, 2), (2, 3), (3, 4)]
    assert display_of(spoken, "rare") == "rare"
    assert display_of(spoken, "most") == "most"
    assert display_of(spoken, ", ") == "—"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(-5, 1000, (2, 5)), (-5, -1, (2, 2)), (999, 1000, (5, 5)), (3, 1, (2, 2)), (0, 0, (2, 2))],
    ids=["everything", "before-start", "after-end", "reversed", "empty"],
)
def test_display_range_is_always_valid(start: int, end: int, expected: tuple[int, int]) -> None:
    spoken = normalise("  ALS  ", LEXICON)
    assert spoken.text == "eh-L-S"
    assert spoken.display_range(start, end) == expected


@pytest.mark.parametrize("display", ["", "•", "  "])
def test_nothing_to_say_maps_to_an_empty_range(display: str) -> None:
    spoken = normalise(display, LEXICON)
    assert spoken.text == ""
    assert spoken.spans == ()
    assert spoken.display_range(0, 5) == (0, 0)


def shipped_texts() -> Iterator[str]:
    """Every title, paragraph, list item and source line of both shipped documents."""
    library = load_library(CONTENT_DIR)
    assert {d.id for d in library.documents} >= {"ninds-als", "webmd-als"}
    for document in library.documents:
        yield from (document.title, document.spoken_title, document.source.publisher)
        yield from (document.source.licence, document.source.attribution)
        for entry in document.entries:
            yield entry.section.title
            for block in entry.section.blocks:
                yield from (text.full for text in block.texts())


SHIPPED = [t for t in shipped_texts() if t]
SHIPPED_SENTENCES = [t[a:b] for t in SHIPPED for a, b in split_sentences(t)]
_REWRITTEN = re.compile(
    "|".join([LEXICON.entry_pattern, LEXICON.symbol_pattern, r"\d", r"/", r"[’‘“”]", r"\S+\.gov\b"])
)


def assert_spans_are_sound(spoken: Spoken) -> None:
    """Spans cover the spoken text in order and stay inside the display text."""
    position, display_start = 0, 0
    for s_start, s_end, d_start, d_end in spoken.spans:
        assert s_start == position and s_end > s_start
        assert display_start <= d_start < d_end <= len(spoken.display)
        position, display_start = s_end, d_start
    assert position == len(spoken.text)


def assert_words_map_back(spoken: Spoken) -> None:
    """Every spoken word maps to a non-empty display slice overlapping its source word."""
    display = spoken.display
    source_words = [m.span() for m in re.finditer(r"\S+", display)]
    rewritten = {i for m in _REWRITTEN.finditer(display) for i in range(*m.span())}
    covered: set[int] = set()
    previous_start = 0
    for word in re.finditer(r"[A-Za-z0-9']+", spoken.text):
        a, b = spoken.display_range(*word.span())
        assert 0 <= a < b <= len(display), word
        assert display[a:b].strip(), word
        assert any(s < b and a < e for s, e in source_words), word
        assert a >= previous_start, f"{word.group()!r} maps before the word before it"
        shown = display[a:b]
        assert shown.replace("’", "'") == word.group() or rewritten & set(range(a, b)), (
            f"{word.group()!r} maps to {shown!r}"
        )
        covered.update(range(a, b))
        previous_start = a
    missing = [i for i, c in enumerate(display) if c.isalnum() and i not in covered]
    assert missing == [], f"display characters never spoken: {[display[i] for i in missing]}"


def test_every_shipped_paragraph_maps_back_word_by_word() -> None:
    assert len(SHIPPED) > 250
    for text in SHIPPED:
        spoken = normalise(text, LEXICON)
        assert_spans_are_sound(spoken)
        assert_words_map_back(spoken)


def test_every_shipped_sentence_maps_back_word_by_word() -> None:
    assert len(SHIPPED_SENTENCES) > 400
    for sentence in SHIPPED_SENTENCES:
        spoken = normalise(sentence, LEXICON)
        assert_spans_are_sound(spoken)
        assert_words_map_back(spoken)


def test_no_shipped_sentence_is_sent_with_raw_acronyms_or_dashed_numbers() -> None:
    leftovers = []
    for sentence in SHIPPED_SENTENCES:
        text = said(sentence)
        if re.search(r"\bALS\b|\bNINDS\b|\bNIH\b|\d[-–]\d|%|&", text):
            leftovers.append(text)
    assert leftovers == []


# --- checked with the real engine -------------------------------------------------------------

ESPEAK = shutil.which("espeak-ng")


def phonemes(text: str, voice: str) -> str:
    result = subprocess.run(
        [ESPEAK or "espeak-ng", "-v", voice, "-q", "-x", text],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    return " ".join(result.stdout.split())


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed")
@pytest.mark.parametrize("voice", ["gmw/en", "gmw/en-us"])
@pytest.mark.parametrize(
    ("display", "wanted", "unwanted"),
    [
        ("the progression of ALS.", "'eI'El'Es", "alz"),
        ("a form of FTD-ALS", "'eI'El'Es", "alz"),
        ("research for ALS", "'eI'El'Es", "@r- 'El"),
        ("Call 800-352-9424", "'eIt z'i@roU z'i@roU", "d'aS"),
        ("for 3-5 years", "Tr'i: t@ f'aIv", "d'aS"),
        ("and/or", "and 'O@", "sl'aS"),
        ("through an IV", "aIv'i:", "r,oUm@n"),
        ("the NIH", "'EnaI'eItS", "n'I"),
        ("Qalsody", "k'al s'oUdi", "k'O:l"),
    ],
)
def test_the_engine_says_it_as_meant(display: str, wanted: str, unwanted: str, voice: str) -> None:
    sounds = phonemes(said(display), voice)
    assert wanted in sounds
    assert unwanted not in sounds
