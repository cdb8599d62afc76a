"""Nothing of a seed document is lost or repeated in the shipped content.

Each seed is cut into sentences (pysbd) after the source's Markdown is removed, and every
sentence must appear in the shipped document's reading order (section titles where the
headings came from the seed, then each block's lead-in and text), in order, exactly once,
with nothing but spaces or a joining colon between them. The lines deliberately not carried
over as body text are listed below with the reason, so a reader sees exactly what is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pysbd
import pytest
import yaml

from kiosk.content import Document, load_document

REPO = Path(__file__).parents[1]
SOURCES = REPO / "content" / "sources"
CONTENT = REPO / "content"

_NINDS_LETTERHEAD = "agency letterhead: page furniture at the top and bottom of the leaflet"
_NINDS_TOC = "table of contents: replaced by the kiosk's own Contents screen"
_NINDS_CREDITS = "closing credits: in source.attribution (publisher in source.publisher)"


@dataclass(frozen=True)
class Shipped:
    """A shipped content file, its seed, and what of the seed is deliberately not body text."""

    content: str
    seed: str
    dropped: dict[str, str]
    """Exact seed lines (stripped) left out of the body, each with where it went instead."""
    titles_from_seed: bool
    """True when section titles are the seed's own headings (so they count as seed text);
    False when they were written during curation (so they are not compared)."""


NINDS = Shipped(
    content="ninds-als.yaml",
    seed="ninds-als.txt",
    dropped={
        "National Institute of": _NINDS_LETTERHEAD,
        "Neurological Disorders": _NINDS_LETTERHEAD,
        "and Stroke": _NINDS_LETTERHEAD,
        "Amyotrophic Lateral Sclerosis (ALS)": "the document title: Document.title",
        "Table of Contents": _NINDS_TOC,
        "What is amyotrophic lateral sclerosis (ALS)?.....\t2": _NINDS_TOC,
        "Who is more likely to get ALS?\t4": _NINDS_TOC,
        "How is ALS diagnosed and treated?\t6": _NINDS_TOC,
        "What are the latest updates on ALS?\t11": _NINDS_TOC,
        "How can I or my loved one help improve care for people with ALS?\t14": _NINDS_TOC,
        "Where can I find more information about ALS?\t16": _NINDS_TOC,
        "Prepared by:": _NINDS_CREDITS,
        "Office of Neuroscience Communications and Engagement": _NINDS_CREDITS,
        "National Institute of Neurological Disorders and Stroke": _NINDS_CREDITS,
        "National Institutes of Health": _NINDS_CREDITS,
        "Department of Health and Human Services": _NINDS_CREDITS,
        "Bethesda, Maryland 20892-2540": "the publisher's postal address: not needed on a kiosk",
        "Publication No. 25-NS-916": "publication number: in source.attribution",
        "March 2025": "publication date: source.date",
    },
    titles_from_seed=True,
)
WEBMD = Shipped(
    content="webmd-als.yaml",
    seed="webmd-als.txt",
    dropped={
        "Amyotrophic Lateral Sclerosis (ALS)": "the document title: Document.title",
        "Medically Reviewed by Christopher Melinosky,\u00a0MD on April 14, 2023": (
            "byline: source.attribution and source.date"
        ),
        "13 min read": "reading time: web-page furniture",
    },
    titles_from_seed=False,  # the copy lost its headings; ours were written in curation
)
SHIPPED = [pytest.param(NINDS, id="ninds-als"), pytest.param(WEBMD, id="webmd-als")]

_SEGMENTER = pysbd.Segmenter(language="en", clean=False)
_LINK = re.compile(r"!?\[((?:\\.|[^\]\\])*)\]\([^)]*\)")
_BULLET = re.compile(r"^[\s\u00a0]*[•*\-][\s\u00a0]+")
_GLUE = re.compile(r"[\s:]*")
"""What may stand between two seed sentences in the content: spaces, or the colon that
joins a resource name to its phone number."""


def normalise(text: str) -> str:
    """Seed or content text reduced to what a reader sees: no link syntax, no bold markers,
    no backslash escapes, non-breaking spaces as spaces, whitespace collapsed."""
    text = _LINK.sub(r"\1", text).replace("**", "")
    text = re.sub(r"\\([()\[\]*_#.!-])", r"\1", text)
    return re.sub(r"[\s\u00a0]+", " ", text).strip()


def seed_sentences(shipped: Shipped) -> list[str]:
    """The seed's body sentences in order: each non-blank line that is not a dropped line,
    bullet marker removed, Markdown removed, split into sentences."""
    sentences: list[str] = []
    lines = (SOURCES / shipped.seed).read_text(encoding="utf-8").splitlines()
    for line in lines:
        if not line.strip(" \t\u00a0") or line.strip(" \u00a0") in shipped.dropped:
            continue
        text = normalise(_BULLET.sub("", line))
        sentences.extend(s.strip() for s in _SEGMENTER.segment(text) if s.strip())
    return sentences


def reading_order(document: Document, with_titles: bool) -> str:
    """The document's text as a reader meets it, one space between runs."""
    runs: list[str] = []
    for entry in document.entries:
        if with_titles:
            runs.append(entry.section.title)
        for block in entry.section.blocks:
            runs.extend(text.full for text in block.texts())
    return normalise(" ".join(runs))


def first_difference(sentences: list[str], content: str) -> str | None:
    """None when content is exactly the sentences in order (joined by glue); otherwise a
    message naming the first missing or extra text."""
    position = 0
    for number, sentence in enumerate(sentences, 1):
        position = _GLUE.match(content, position).end()
        found = _find_whole(content, sentence, position)
        if found == position:
            position += len(sentence)
            continue
        here = content[position : position + 160]
        if found < 0:
            return (
                f"seed sentence {number} of {len(sentences)} is missing from the content:\n"
                f"  seed:    {sentence!r}\n  content: {here!r}"
            )
        return (
            f"the content has extra text before seed sentence {number} of {len(sentences)}:\n"
            f"  extra:   {content[position:found][:160]!r}\n  seed:    {sentence!r}"
        )
    rest = content[_GLUE.match(content, position).end() :]
    if rest:
        return f"the content has extra text after the last seed sentence: {rest[:160]!r}"
    return None


def _find_whole(content: str, sentence: str, start: int) -> int:
    """Where sentence next occurs at or after start, not as part of a longer word."""
    found = content.find(sentence, start)
    while found >= 0:
        end = found + len(sentence)
        if not (end < len(content) and content[end].isalnum() and sentence[-1].isalnum()):
            return found
        found = content.find(sentence, found + 1)
    return -1


def coverage_problem(shipped: Shipped, document: Document) -> str | None:
    return first_difference(
        seed_sentences(shipped), reading_order(document, shipped.titles_from_seed)
    )


# --- the shipped documents -----------------------------------------------------------------


@pytest.mark.parametrize("shipped", SHIPPED)
def test_every_seed_sentence_is_shipped_in_order_exactly_once(shipped: Shipped) -> None:
    document = load_document(CONTENT / shipped.content)
    problem = coverage_problem(shipped, document)
    assert problem is None, f"{shipped.content} does not match {shipped.seed}: {problem}"


@pytest.mark.parametrize("shipped", SHIPPED)
def test_every_dropped_line_exists_in_the_seed(shipped: Shipped) -> None:
    """An exclusion that no longer matches a seed line would hide nothing and mislead."""
    lines = {
        line.strip(" \u00a0") for line in (SOURCES / shipped.seed).read_text("utf-8").splitlines()
    }
    assert set(shipped.dropped) <= lines, set(shipped.dropped) - lines


def test_dropped_credits_are_carried_where_the_exclusions_say() -> None:
    ninds = load_document(CONTENT / NINDS.content)
    assert ninds.title == "Amyotrophic Lateral Sclerosis (ALS)"
    assert "National Institute of Neurological Disorders and Stroke" in ninds.source.publisher
    assert "National Institutes of Health" in ninds.source.publisher
    assert ninds.source.date == "March 2025"
    assert "Publication No. 25-NS-916" in ninds.source.attribution
    assert "Office of Neuroscience Communications and Engagement" in ninds.source.attribution
    webmd = load_document(CONTENT / WEBMD.content)
    assert webmd.title == "Amyotrophic Lateral Sclerosis (ALS)"
    assert webmd.source.attribution == "Medically reviewed by Christopher Melinosky, MD"
    assert webmd.source.date == "Medically reviewed April 14, 2023"


# --- the check itself can fail -------------------------------------------------------------


def _edited_copy(tmp_path: Path, shipped: Shipped, edit: Any) -> Document:
    """Load a copy of the shipped file after ``edit`` changed its plain data."""
    data = yaml.safe_load((CONTENT / shipped.content).read_text(encoding="utf-8"))
    edit(data)
    copy = tmp_path / shipped.content
    copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_document(copy)


def _replace_in_strings(data: Any, old: str, new: str) -> Any:
    if isinstance(data, str):
        return data.replace(old, new)
    if isinstance(data, list):
        return [_replace_in_strings(item, old, new) for item in data]
    if isinstance(data, dict):
        return {key: _replace_in_strings(value, old, new) for key, value in data.items()}
    return data


def test_a_deleted_sentence_is_reported_as_missing(tmp_path: Path) -> None:
    def delete(data: dict) -> None:
        data["sections"] = _replace_in_strings(data["sections"], "This is called atrophy. ", "")

    document = _edited_copy(tmp_path, WEBMD, delete)
    problem = coverage_problem(WEBMD, document)
    assert problem is not None
    assert "missing" in problem and "This is called atrophy." in problem


def test_a_repeated_list_item_is_reported_as_extra(tmp_path: Path) -> None:
    def repeat(data: dict) -> None:
        items = data["sections"][0]["blocks"][4]["list"]
        items.insert(2, items[1])  # "Muscle cramps" twice

    document = _edited_copy(tmp_path, NINDS, repeat)
    problem = coverage_problem(NINDS, document)
    assert problem is not None
    assert "extra" in problem and "Muscle cramps" in problem


def test_a_lost_section_title_and_swapped_paragraphs_are_caught(tmp_path: Path) -> None:
    def rename(data: dict) -> None:
        data["sections"][1]["sections"][0]["title"] = "Family history"

    assert "Sporadic and familial ALS" in str(
        coverage_problem(NINDS, _edited_copy(tmp_path, NINDS, rename))
    )

    def swap(data: dict) -> None:
        blocks = data["sections"][0]["blocks"]
        blocks[0], blocks[1] = blocks[1], blocks[0]

    assert coverage_problem(WEBMD, _edited_copy(tmp_path, WEBMD, swap)) is not None


def test_the_comparison_ignores_only_layout() -> None:
    sentences = ["Age: Although ALS can happen at any age.", "Pain", "MedlinePlus"]
    assert (
        first_difference(sentences, "Age: Although ALS can happen at any age. Pain MedlinePlus")
        is None
    )
    assert first_difference(
        sentences, "Age: Although ALS can happen at any age. Painful MedlinePlus"
    )
    assert first_difference(sentences, "Age: Although ALS can happen at any age. Pain") is not None
