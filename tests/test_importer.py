"""The importer turns the two real seed documents (and small Markdown/plain inputs) into
documents a clinic can ship: right headings and nesting, no markup or page furniture left."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.content import BlockKind, ContentError, Document, Section, Text
from kiosk.content.importer import import_file, import_text, run_import
from kiosk.content.importer_text import slugify
from kiosk.content.loader import dump_document, parse_document

SOURCES = Path(__file__).parents[1] / "content" / "sources"
NINDS_SEED = SOURCES / "ninds-als.txt"
WEBMD_SEED = SOURCES / "webmd-als.txt"

NINDS_TOP_LEVEL = [
    "What is amyotrophic lateral sclerosis (ALS)?",
    "Who is more likely to get ALS?",
    "How is ALS diagnosed and treated?",
    "What are the latest updates on ALS?",
    "How can I or my loved one help improve care for people with ALS?",
    "Where can I find more information about ALS?",
]


@pytest.fixture(scope="module")
def ninds() -> Document:
    return import_file(NINDS_SEED, "ninds-als")


@pytest.fixture(scope="module")
def webmd() -> Document:
    return import_file(WEBMD_SEED, "webmd-als")


def all_texts(document: Document) -> list[Text]:
    return list(document.iter_texts())


def all_strings(document: Document) -> list[str]:
    """Every piece of text a reader could see: titles, leads, bodies and the source."""
    strings = [document.title, *vars(document.source).values()]
    for entry in document.entries:
        strings.append(entry.section.title)
        for block in entry.section.blocks:
            for text in block.texts():
                strings.extend([text.lead, text.text])
    return strings


def section_titled(document: Document, title: str) -> Section:
    return next(e.section for e in document.entries if e.section.title == title)


# --- the NINDS fact sheet ------------------------------------------------------------------


def test_ninds_top_level_sections_follow_the_table_of_contents(ninds: Document) -> None:
    assert [s.title for s in ninds.sections] == NINDS_TOP_LEVEL


@pytest.mark.parametrize(
    ("parent", "children"),
    [
        ("Who is more likely to get ALS?", ["Sporadic and familial ALS"]),
        (
            "How is ALS diagnosed and treated?",
            [
                "Diagnosing ALS",
                "Treating ALS",
                "Rehabilitation, therapy, and other support",
                "Support for physical function and daily life",
                "Speech and communication support",
                "Support for nutrition, breathing, and feeding",
                "Caring for a person living with ALS",
            ],
        ),
        (
            "What are the latest updates on ALS?",
            ["Cellular defects", "Stem cells", "Genetics and epigenetics", "Biomarkers"],
        ),
    ],
)
def test_ninds_subsections_sit_under_their_parents(
    ninds: Document, parent: str, children: list[str]
) -> None:
    assert [s.title for s in section_titled(ninds, parent).sections] == children


def test_ninds_page_break_paragraph_is_joined(ninds: Document) -> None:
    joined = [t.text for t in all_texts(ninds) if "people with ALS to discover new genes" in t.text]
    assert len(joined) == 1
    assert joined[0].startswith("A large-scale collaborative research effort")
    assert not any(t.text.startswith("discover new genes") for t in all_texts(ninds))


def test_ninds_bold_lead_ins_become_leads(ninds: Document) -> None:
    leads = {t.lead: t.text for t in all_texts(ninds) if t.lead}
    assert leads["Age:"].startswith("Although ALS can happen")
    assert leads["Biological sex:"].startswith("Men are slightly more likely")
    assert leads["Race and ethnicity:"].startswith("White people")


@pytest.mark.parametrize("seed", [NINDS_SEED, WEBMD_SEED], ids=["ninds", "webmd"])
def test_no_markup_is_left_anywhere(seed: Path) -> None:
    document = import_file(seed, "seed")
    for string in all_strings(document):
        for markup in ("](", "[", "]", "**", "\\(", "\\)", "\u00a0", "\t"):
            assert markup not in string, f"{markup!r} left in {string!r}"


def test_ninds_furniture_is_not_body_text(ninds: Document) -> None:
    strings = [s for s in all_strings(ninds)[5:] if s]  # after the title and source
    furniture = {
        "National Institute of",
        "Neurological Disorders",
        "and Stroke",
        "Table of Contents",
    }
    assert not furniture & set(strings)
    assert not any(s.isdigit() for s in strings), "a page number was kept"
    assert not any(s.startswith("Prepared by") or "25-NS-916" in s for s in strings)
    assert [s.title for s in ninds.sections].count(NINDS_TOP_LEVEL[0]) == 1  # TOC not a section
    assert ninds.title == "Amyotrophic Lateral Sclerosis (ALS)"
    assert ninds.title not in [e.section.title for e in ninds.entries]


def test_ninds_credits_go_to_the_source(ninds: Document) -> None:
    assert ninds.source.publisher == "National Institute of Neurological Disorders and Stroke"
    assert ninds.source.date == "March 2025"
    assert "Publication No. 25-NS-916" in ninds.source.attribution
    assert "Office of Neuroscience Communications and Engagement" in ninds.source.attribution


def test_ninds_resource_list_pairs_names_with_phone_numbers(ninds: Document) -> None:
    resources = ninds.sections[-1]
    lists = [b for b in resources.blocks if b.kind is BlockKind.LIST]
    assert len(lists) == 1
    items = [t.full for t in lists[0].items]
    assert items[0] == "ALS Therapy Development Institute: 617-441-7200"
    assert "Genetic and Rare Diseases (GARD) Information Center: 888-205-2311" in items
    assert "MedlinePlus" in items  # no phone number: the name alone
    assert items[-1] == "The ALS Association: 800-782-4747"
    callout = resources.blocks[-1]
    assert callout.kind is BlockKind.CALLOUT
    assert callout.text == Text("Motor Neuron Diseases", "Learn more about related topics:")


def test_ninds_line_ending_in_colon_stays_its_own_paragraph(ninds: Document) -> None:
    blocks = ninds.sections[0].blocks
    index = next(
        i for i, b in enumerate(blocks) if b.text and b.text.text == "Early symptoms include:"
    )
    assert blocks[index + 1].kind is BlockKind.LIST
    assert blocks[index + 1].items[1] == Text("Muscle cramps")


def test_typography_is_kept_in_display_text(ninds: Document, webmd: Document) -> None:
    ninds_text = " ".join(t.full for t in all_texts(ninds))
    webmd_text = " ".join(t.full for t in all_texts(webmd))
    assert "the overall risk is very low—most won't develop ALS" in ninds_text
    assert "a type of neurotransmitter – it sends" in webmd_text
    assert "Carve out some “me time” each day." in webmd_text
    assert "There isn’t one test used to diagnose ALS." in webmd_text


def test_section_ids_are_short_slugs(ninds: Document) -> None:
    ids = ninds.section_ids()
    assert ids[0] == "what-is-als"
    assert len(set(ids)) == len(ids)
    assert all(len(i) <= 40 for i in ids)


# --- the WebMD article ---------------------------------------------------------------------


def test_webmd_title_and_byline_go_to_the_document_not_the_body(webmd: Document) -> None:
    assert webmd.title == "Amyotrophic Lateral Sclerosis (ALS)"
    assert webmd.source.attribution == "Medically Reviewed by Christopher Melinosky, MD"
    assert webmd.source.date == "April 14, 2023"
    body = [t.full for t in all_texts(webmd)]
    assert body[0].startswith("ALS is a disease that causes motor neurons")
    assert not any("min read" in s or "Melinosky" in s for s in body)


def test_webmd_without_headings_is_one_section_of_blocks(webmd: Document) -> None:
    assert len(webmd.entries) == 1
    kinds = {b.kind for b in webmd.sections[0].blocks}
    assert kinds == {BlockKind.PARAGRAPH, BlockKind.LIST}
    story = [b for b in webmd.sections[0].blocks if b.text and "Fred Shank" in b.text.text]
    assert story and story[0].kind is BlockKind.PARAGRAPH


def test_webmd_indented_bullets_become_lists_with_plain_lead_ins(webmd: Document) -> None:
    lists = [b for b in webmd.sections[0].blocks if b.kind is BlockKind.LIST]
    assert lists[0].items[1] == Text("Muscle cramps, especially in your hands and feet")
    tests = next(b for b in lists if b.items[0].lead == "Electromyogram (EMG).")
    assert tests.items[0].text.startswith("Your doctor will poke a needle")
    assert tests.items[4] == Text(
        "This is also called a lumbar puncture. Your doctor may put a hollow needle in your "
        "lower back to take a sample of your spinal fluid.",
        "Spinal tap.",
    )


# --- small Markdown and plain-text inputs --------------------------------------------------

MARKDOWN = """\
# Living Well with ALS

Some words first.

## Eating well

Try these:

- Small meals
*\u00a0Soft foods, see [the guide](https://example.org/guide) \\(free\\)
\u00a0\u00a0• Plenty of **water**

### Tips from patients

Ask a [dietitian](#) early.

## Sleeping

**Pillows:** Raise the head of the bed.
"""


def test_markdown_headings_nest_by_level_and_the_sole_h1_is_the_title() -> None:
    document = import_text(MARKDOWN, "living-well")
    assert document.title == "Living Well with ALS"
    assert [s.title for s in document.sections] == ["Overview", "Eating well", "Sleeping"]
    assert [s.title for s in document.sections[1].sections] == ["Tips from patients"]
    assert document.sections[0].blocks[0].text == Text("Some words first.")


def test_markdown_bullets_with_nbsp_indentation_links_and_escapes() -> None:
    eating = import_text(MARKDOWN, "living-well").sections[1]
    assert eating.blocks[0].text == Text("Try these:")
    assert eating.blocks[1].items == (
        Text("Small meals"),
        Text("Soft foods, see the guide (free)"),
        Text("Plenty of water"),
    )
    assert eating.sections[0].blocks[0].text == Text("Ask a dietitian early.")


def test_markdown_bold_lead_in() -> None:
    sleeping = import_text(MARKDOWN, "living-well").sections[2]
    assert sleeping.blocks[0].text == Text("Raise the head of the bed.", "Pillows:")


PLAIN_WITH_TOC = """\
Caring at Home

Table of Contents
Eating well.......\t2
Sleeping and resting\t3
Getting help ........ 5

Eating well

Small meals help.

Soft foods

Try soups and smoothies.

2

Sleeping and resting

Raise the head of the bed.

Getting help

Ask your care team.
"""


def test_table_of_contents_titles_are_top_level_and_other_headings_nest() -> None:
    document = import_text(PLAIN_WITH_TOC, "home")
    assert document.title == "Caring at Home"
    assert [s.title for s in document.sections] == [
        "Eating well",
        "Sleeping and resting",
        "Getting help",
    ]
    assert [s.title for s in document.sections[0].sections] == ["Soft foods"]
    texts = [t.full for t in document.iter_texts()]
    assert texts == [
        "Small meals help.",
        "Try soups and smoothies.",
        "Raise the head of the bed.",
        "Ask your care team.",
    ]  # no TOC lines, no "Table of Contents", no page number


def test_plain_page_break_split_is_rejoined_but_a_finished_paragraph_is_not() -> None:
    text = "Title\n\nThe study looked at people with ALS to\n\n\n\nfind new genes.\n\nNext one.\n"
    texts = [t.text for t in import_text(text, "t").iter_texts()]
    assert texts == ["The study looked at people with ALS to find new genes.", "Next one."]


def test_running_header_page_numbers_and_form_feeds_are_dropped() -> None:
    text = (
        "\ufeffMy Leaflet\r\n\r\nCity Hospital\r\n\r\nFirst paragraph here.\r\n"
        "\fPage 2 of 5\r\n\r\nCity Hospital\r\n\r\n3\r\n\r\nSecond paragraph.\r\n"
    )
    document = import_text(text, "t")
    assert document.title == "My Leaflet"
    assert [t.full for t in document.iter_texts()] == ["First paragraph here.", "Second paragraph."]
    assert [s.title for s in document.sections] == ["Overview"]


def test_numbered_steps_become_a_list_and_a_quote_becomes_a_callout() -> None:
    text = (
        "Guide\n=====\n\nPart one\n--------\n\n> Call 911 in an emergency.\n\n1. First\n2) Then\n"
    )
    section = import_text(text, "t").sections[0]
    assert section.title == "Part one"
    assert section.blocks[0].kind is BlockKind.CALLOUT
    assert section.blocks[0].text == Text("Call 911 in an emergency.")
    assert section.blocks[1].items == (Text("First"), Text("Then"))


def test_wrapped_list_item_continues_and_a_capitalised_line_ends_the_list() -> None:
    text = (
        "Title\n\nThings:\n\u00a0\u00a0- one that wraps\n    onto two lines\n  - two\nAfter it.\n"
    )
    blocks = import_text(text, "t").sections[0].blocks
    assert [b.kind for b in blocks] == [BlockKind.PARAGRAPH, BlockKind.LIST, BlockKind.PARAGRAPH]
    assert blocks[1].items == (Text("one that wraps onto two lines"), Text("two"))
    assert blocks[2].text == Text("After it.")


def test_a_heading_with_nothing_under_it_is_kept_as_text() -> None:
    document = import_text("Title\n\nFirst\n\nSecond\n\nSome text.\n", "t")
    assert [s.title for s in document.sections] == ["Overview", "Second"]
    assert document.sections[0].blocks[0].text == Text("First")


def test_slugs_collapse_spelled_out_acronyms_and_stay_unique() -> None:
    assert slugify("What is amyotrophic lateral sclerosis (ALS)?") == "what-is-als"
    assert slugify("Stem cells") == "stem-cells"
    document = import_text("# Notes\n\nA.\n\n# Notes\n\nB.\n", "t")
    assert document.section_ids() == ["notes", "notes-2"]


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(lambda: import_file(NINDS_SEED, "ninds-als"), id="ninds"),
        pytest.param(lambda: import_file(WEBMD_SEED, "webmd-als"), id="webmd"),
        pytest.param(lambda: import_text(MARKDOWN, "md"), id="markdown"),
        pytest.param(lambda: import_text(PLAIN_WITH_TOC, "toc"), id="toc"),
    ],
)
def test_imported_documents_round_trip_through_yaml(document: Callable[[], Document]) -> None:
    imported = document()
    assert parse_document(dump_document(imported)) == imported


# --- errors and the CLI hook ---------------------------------------------------------------


def test_bad_id_and_empty_text_are_content_errors() -> None:
    with pytest.raises(ContentError, match="lowercase letters"):
        import_text("Some text.", "Bad Id")
    with pytest.raises(ContentError, match="no body text"):
        import_text(" \n\n\u00a0\n", "empty")


def test_run_import_prints_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_import(NINDS_SEED, "ninds-als", None) == 0
    out = capsys.readouterr().out
    assert parse_document(out).sections[0].id == "what-is-als"


def test_run_import_writes_the_output_file(tmp_path: Path) -> None:
    out = tmp_path / "webmd.yaml"
    assert run_import(WEBMD_SEED, "webmd-als", out) == 0
    assert parse_document(out.read_text(encoding="utf-8")).id == "webmd-als"


@pytest.mark.parametrize(
    ("content", "doc_id", "message"),
    [
        (None, "doc", "cannot read the file"),
        (b"caf\xe9 au lait\n", "doc", "not UTF-8"),
        (b"\n\n   \n", "doc", "no body text"),
        (b"Some text.\n", "Not An Id", "lowercase letters"),
    ],
    ids=["missing", "not-utf8", "empty", "bad-id"],
)
def test_run_import_explains_problems_on_stderr(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    doc_id: str,
    message: str,
) -> None:
    source = tmp_path / "leaflet.txt"
    if content is not None:
        source.write_bytes(content)
    out = tmp_path / "out.yaml"
    assert run_import(source, doc_id, out) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
    assert not out.exists()


# --- regressions found by the property tests (tests/test_properties.py) --------------------


def round_trips(document: Document) -> bool:
    return parse_document(dump_document(document)) == document


@pytest.mark.parametrize(
    "text",
    [
        "ALS\n# **\n:",  # a heading of markup only: the draft had a section with no title
        "Some text.\n\n- a\n- **\n",  # a list item of markup only: an empty item
        ">\n\nHello there.\n",  # a lone quote mark: an empty callout
    ],
)
def test_markup_without_words_leaves_no_empty_text_in_the_draft(text: str) -> None:
    document = import_text(text, "doc", markdown=True)
    assert all(t.text for t in document.iter_texts())
    assert all(e.section.title for e in document.entries)
    assert round_trips(document)  # the loader refused these drafts before


def test_title_made_from_an_id_ending_in_a_hyphen_has_no_trailing_space() -> None:
    document = import_text("ALS\nALS", "als-")
    assert document.title == "Als"  # was "Als ", which YAML read back as "Als"
    assert round_trips(document)


def test_id_ending_in_a_line_break_is_refused_on_one_line() -> None:
    with pytest.raises(ContentError) as caught:
        import_text("Some text.", "doc\n")  # '$' let it through; the loader then read "doc"
    assert caught.value.message.startswith("document id 'doc' must use only lowercase")


def test_escaped_markdown_in_a_heading_is_kept_as_written_once() -> None:
    text = "# Title\n\n## A \\*x\\* b\n\nText \\*y\\*.\n\n## \\[ \\](b) c\n\nMore text."
    document = import_text(text, "doc")
    titles = [e.section.title for e in document.entries]
    assert titles == ["A *x* b", "[ ](b) c"]  # were "A \\x\\ b" and "  c" (Markdown removed twice)
    assert document.sections[0].blocks[0].text.text == "Text *y*."
    assert round_trips(document)


def test_credits_ending_in_a_spaced_full_stop_have_no_trailing_space() -> None:
    text = (
        "Title\n\nFirst paragraph is a sentence of enough words here.\n\n"
        "Second paragraph of body text is here too.\n\nPrepared by:\nOffice of Communications .\n"
    )
    document = import_text(text, "doc")
    assert document.source.attribution.endswith("Office of Communications")
    assert round_trips(document)
