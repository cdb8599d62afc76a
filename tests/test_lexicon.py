"""The pronunciation lexicon: what a clinic can write, and what it is told when it is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.speech.lexicon import (
    DEFAULT_LEXICON_PATH,
    DEFAULT_SYMBOLS,
    EntryKind,
    Lexicon,
    load_lexicon,
)

GOOD = """\
# a comment
words:
  ALS: eh L S
  riluzole: rillyuzole
  I AM ALS: I am eh L S
abbreviations:
  Dr.: doctor
  e.g.: for example
before_numbers:
  No.: number
symbols:
  "&": and also
"""


def write(tmp_path: Path, text: str, name: str = "_pronunciation.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_lexicon_loads_without_problems() -> None:
    lexicon, problems = load_lexicon()
    assert problems == []
    assert DEFAULT_LEXICON_PATH.name == "_pronunciation.yaml"
    required_words = (
        "ALS SOD1 C9orf72 FTD-ALS SPTLC1 NINDS NIH FDA CDC NIV BiPAP MND PLS PMA EMG MRI "
        "FUS TDP-43 ALSA MDA riluzole edaravone tofersen relyvrio exservan tiglutik qalsody"
    ).split()
    assert [w for w in required_words if w not in lexicon.words] == []
    assert {"Dr.", "e.g.", "i.e.", "U.S.", "etc.", "vs.", "Jan."} <= set(lexicon.abbreviations)
    assert lexicon.words["ALS"] == "eh-L-S"


def test_a_good_file_loads_every_section(tmp_path: Path) -> None:
    lexicon, problems = load_lexicon(write(tmp_path, GOOD))
    assert problems == []
    assert dict(lexicon.words) == {
        "ALS": "eh L S",
        "riluzole": "rillyuzole",
        "I AM ALS": "I am eh L S",
    }
    assert dict(lexicon.abbreviations) == {"Dr.": "doctor", "e.g.": "for example"}
    assert dict(lexicon.before_numbers) == {"No.": "number"}
    assert lexicon.symbols["&"] == "and also"
    assert lexicon.symbols["%"] == "percent"  # symbols not in the file keep their names


def test_a_missing_file_gives_an_empty_lexicon_and_one_problem(tmp_path: Path) -> None:
    lexicon, problems = load_lexicon(tmp_path / "_pronunciation.yaml")
    assert lexicon == Lexicon.empty()
    assert len(problems) == 1
    assert problems[0].startswith("_pronunciation.yaml: the pronunciation file is missing")
    assert "create _pronunciation.yaml in the content folder" in problems[0]


def test_a_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = "words:\n  ALS: eh L S\n  SOD1: [S O D 1\n  NIH: N I H\n"
    lexicon, problems = load_lexicon(write(tmp_path, text))
    assert lexicon.words == {}
    assert len(problems) == 1
    assert re.match(r"_pronunciation\.yaml, line [34]: YAML syntax error: ", problems[0])
    assert "check the indentation and quoting" in problems[0]


def test_an_unquoted_ampersand_key_is_a_syntax_error_that_says_to_quote(tmp_path: Path) -> None:
    _, problems = load_lexicon(write(tmp_path, "symbols:\n  &: and\n"))
    assert problems and "line 2" in problems[0] and "need quotes" in problems[0]


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        ("  SOD1: [S, O, D]", 3, "words.SOD1: 'SOD1' needs text saying how to pronounce it"),
        ("  SOD1:", 3, "words.SOD1: 'SOD1' needs text saying how to pronounce it"),
        ("  SOD1: {say: it}", 3, "words.SOD1: 'SOD1' needs text"),
        ("  SOD1: 1", 3, "put numbers and yes/no words in quotes"),
        (
            "  911: nine one one",
            3,
            "YAML reads the key 911 as a number, not text; put it in quotes: '911'",
        ),
        ("  NO: nitric oxide", 3, "YAML reads the key NO as yes/no (true/false)"),
        ("  [a, b]: x", 3, "each key must be plain text"),
    ],
    ids=[
        "list-value",
        "empty-value",
        "mapping-value",
        "number-value",
        "number-key",
        "yes-no-key",
        "list-key",
    ],
)
def test_a_bad_entry_is_skipped_with_its_line_and_the_rest_are_kept(
    tmp_path: Path, entry: str, line: int, message: str
) -> None:
    text = f"words:\n  ALS: eh L S\n{entry}\n  NIH: N I H\n"
    lexicon, problems = load_lexicon(write(tmp_path, text))
    assert dict(lexicon.words) == {"ALS": "eh L S", "NIH": "N I H"}
    assert len(problems) == 1
    assert problems[0].startswith(f"_pronunciation.yaml, line {line}")
    assert message in problems[0]


def test_an_unknown_section_is_reported_and_the_others_kept(tmp_path: Path) -> None:
    text = "words:\n  ALS: eh L S\nword:\n  NIH: N I H\nabbreviations:\n  Dr.: doctor\n"
    lexicon, problems = load_lexicon(write(tmp_path, text))
    assert dict(lexicon.words) == {"ALS": "eh L S"}
    assert dict(lexicon.abbreviations) == {"Dr.": "doctor"}
    assert problems == [
        "_pronunciation.yaml, line 3, at word: unknown section 'word'; use one of: words, "
        "abbreviations, before_numbers, symbols"
    ]


def test_a_section_that_is_not_a_mapping_is_reported(tmp_path: Path) -> None:
    text = "words:\n  - ALS\n  - NIH\nabbreviations:\n  Dr.: doctor\n"
    lexicon, problems = load_lexicon(write(tmp_path, text))
    assert lexicon.words == {}
    assert dict(lexicon.abbreviations) == {"Dr.": "doctor"}
    assert problems == [
        "_pronunciation.yaml, line 2, at words: 'words' must be a list of "
        "'key: how to say it' lines, one per entry"
    ]


def test_a_file_that_is_a_list_is_reported(tmp_path: Path) -> None:
    lexicon, problems = load_lexicon(write(tmp_path, "- ALS\n"))
    assert lexicon.words == {}
    assert problems == [
        "_pronunciation.yaml, line 1: the file must be a mapping with the sections words, "
        "abbreviations, before_numbers, symbols"
    ]


def test_an_empty_file_is_reported(tmp_path: Path) -> None:
    _, problems = load_lexicon(write(tmp_path, "# nothing yet\n"))
    assert problems == [
        "_pronunciation.yaml: the file is empty; add one or more sections: words, "
        "abbreviations, before_numbers, symbols"
    ]


def test_a_repeated_entry_is_reported_and_the_later_one_used(tmp_path: Path) -> None:
    text = "words:\n  ALS: a l s\n  NIH: N I H\n  ALS: eh L S\n"
    lexicon, problems = load_lexicon(write(tmp_path, text))
    assert lexicon.words["ALS"] == "eh L S"
    assert problems == [
        "_pronunciation.yaml, line 4, at words.ALS: 'ALS' is already given on line 2; the "
        "later one is used, so delete the one you do not want"
    ]


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "_pronunciation.yaml"
    path.write_bytes("words:\n  caf\u00e9: cafe\n".encode("latin-1"))
    lexicon, problems = load_lexicon(path)
    assert lexicon.words == {}
    assert problems == [
        "_pronunciation.yaml, line 2: the file is not UTF-8 text; save it with UTF-8 encoding"
    ]


@pytest.mark.parametrize(
    ("entry", "advice"),
    [
        ("tofersen: toe FER sen", "has FER in capitals, which the speech engine spells out"),
        ("ALS: A L S", "the engine reads a lone capital A as the word 'a'; write 'eh'"),
    ],
    ids=["capitals", "lone-A"],
)
def test_a_respelling_the_engine_will_misread_is_kept_with_advice(
    tmp_path: Path, entry: str, advice: str
) -> None:
    lexicon, problems = load_lexicon(write(tmp_path, f"words:\n  {entry}\n"))
    key, say = entry.split(": ")
    assert lexicon.words[key] == say
    assert len(problems) == 1 and problems[0].startswith("_pronunciation.yaml, line 2")
    assert advice in problems[0]


def test_a_word_in_the_symbols_section_is_refused(tmp_path: Path) -> None:
    lexicon, problems = load_lexicon(write(tmp_path, 'symbols:\n  "and": und\n  "+": plus\n'))
    assert lexicon.symbols["+"] == "plus" and "and" not in lexicon.symbols
    assert problems == [
        "_pronunciation.yaml, line 2, at symbols.and: 'and' is not a symbol; move it to the "
        "'words' section"
    ]


def test_curly_apostrophes_and_spaces_in_keys_are_tidied(tmp_path: Path) -> None:
    lexicon, problems = load_lexicon(write(tmp_path, "words:\n  Gehrig’s:   gherrig's  \n"))
    assert problems == []
    assert dict(lexicon.words) == {"Gehrig's": "gherrig's"}


def test_lookup_follows_the_case_rule_and_knows_plurals() -> None:
    lexicon = Lexicon(words={"ALS": "eh L S", "riluzole": "rillyuzole", "BCI": "B C I"})
    found = {
        w: (e.say if (e := lexicon.lookup(w)) else None)
        for w in ["ALS", "als", "Als", "riluzole", "Riluzole", "RILUZOLE", "BCIs", "ALSO"]
    }
    assert found == {
        "ALS": "eh L S",
        "als": None,
        "Als": None,
        "riluzole": "rillyuzole",
        "Riluzole": "rillyuzole",
        "RILUZOLE": "rillyuzole",
        "BCIs": "B C I's",
        "ALSO": None,
    }
    assert lexicon.lookup("BCIs").kind is EntryKind.WORD  # type: ignore[union-attr]


def test_an_empty_lexicon_has_no_words_but_the_usual_symbols() -> None:
    empty = Lexicon.empty()
    assert empty.words == {} and empty.abbreviations == {} and empty.before_numbers == {}
    assert dict(empty.symbols) == dict(DEFAULT_SYMBOLS)
    assert empty.entry_pattern == ""


def test_a_lexicon_cannot_be_changed_after_it_is_made() -> None:
    words = {"ALS": "eh L S"}
    lexicon = Lexicon(words=words)
    words["NIH"] = "N I H"  # the caller's dict is copied
    assert "NIH" not in lexicon.words
    with pytest.raises(TypeError):
        lexicon.words["NIH"] = "N I H"  # type: ignore[index]


def test_equal_lexicons_are_interchangeable_as_keys() -> None:
    one = Lexicon(words={"ALS": "eh L S", "NIH": "N I H"})
    two = Lexicon(words={"NIH": "N I H", "ALS": "eh L S"})
    assert one == two and len({one, two}) == 1
    assert one != Lexicon(words={"ALS": "A L S"})
