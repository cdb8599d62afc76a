"""The YAML loader and document model: what a clinic author sees when a file is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.content import ContentError, dump_document, load_document, load_library, parse_document
from kiosk.content import loader as loader_module
from kiosk.content.model import BlockKind


def document_yaml(doc_id: str = "leaflet", sections: str | None = None) -> str:
    """A small valid document; ``sections`` replaces the sections list (indented 2)."""
    if sections is None:
        sections = (
            "  - id: intro\n"
            "    title: Introduction\n"
            "    blocks:\n"
            "      - paragraph: ALS affects nerve cells.\n"
        )
    return f"id: {doc_id}\ntitle: About ALS\nsource:\n  publisher: NINDS\nsections:\n" + sections


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def parse_error(text: str, name: str = "leaflet.yaml") -> ContentError:
    with pytest.raises(ContentError) as caught:
        parse_document(text, name)
    assert caught.value.message.startswith(name)
    return caught.value


# -- folders -------------------------------------------------------------------------------


def test_empty_folder_gives_no_documents_and_says_none_were_found(tmp_path):
    library = load_library(tmp_path)
    assert library.documents == []
    assert len(library.errors) == 1
    assert "no documents" in library.errors[0].message
    assert str(tmp_path) in library.errors[0].message


def test_folder_with_only_a_lexicon_still_says_no_documents_were_found(tmp_path):
    write(tmp_path, "_lexicon.yaml", "ALS: A L S\n")
    library = load_library(tmp_path)
    assert library.documents == []
    assert ["no documents" in e.message for e in library.errors] == [True]


def test_missing_folder_says_to_create_it(tmp_path):
    library = load_library(tmp_path / "nowhere")
    assert library.documents == []
    assert len(library.errors) == 1
    assert "does not exist" in library.errors[0].message
    assert "nowhere" in library.errors[0].message


def test_one_broken_file_does_not_stop_the_good_ones(tmp_path):
    write(tmp_path, "a.yaml", document_yaml("first"))
    write(tmp_path, "b.yaml", "id: broken\ntitle: [unclosed\n")
    write(tmp_path, "c.yaml", document_yaml("second"))
    library = load_library(tmp_path)
    assert [d.id for d in library.documents] == ["first", "second"]
    assert len(library.errors) == 1
    assert library.errors[0].message.startswith("b.yaml")
    assert library.get("second").title == "About ALS"


def test_duplicate_document_id_names_both_files(tmp_path):
    write(tmp_path, "a.yaml", document_yaml("same"))
    write(tmp_path, "b.yaml", document_yaml("same"))
    library = load_library(tmp_path)
    assert [d.id for d in library.documents] == ["same"]
    (error,) = library.errors
    assert error.message.startswith("b.yaml")
    assert "'same' is already used by a.yaml" in error.message
    assert "give each document its own id" in error.message


# -- file-level problems -----------------------------------------------------------------


def test_yaml_indentation_error_names_the_line(tmp_path):
    text = document_yaml(
        sections="  - id: intro\n    title: Introduction\n   blocks:\n      - paragraph: Hi\n"
    )
    error = parse_error(text)
    assert error.line == 8
    assert "line 8" in error.message
    assert "YAML syntax error" in error.message
    assert "indentation" in error.message


def test_unclosed_quote_points_at_the_line_where_the_quote_opens():
    text = document_yaml(
        sections='  - id: intro\n    title: "Introduction\n    blocks:\n      - paragraph: Hi\n'
    )
    error = parse_error(text)
    assert error.line == 7
    assert "line 7" in error.message
    assert "quoting" in error.message


def test_non_utf8_file_says_so_with_its_line(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(document_yaml().replace("About ALS", "Sclérose").encode("latin-1"))
    with pytest.raises(ContentError) as caught:
        load_document(path)
    assert caught.value.line == 2
    assert caught.value.message.startswith("latin.yaml, line 2")
    assert "not UTF-8" in caught.value.message
    assert "save it with UTF-8" in caught.value.message


def test_utf8_with_byte_order_mark_loads(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + document_yaml().replace("About", "Über").encode())
    assert load_document(path).title == "Über ALS"


def test_five_megabyte_document_loads(tmp_path):
    paragraph = "People with ALS may find that speech becomes slower over time. " * 8
    sections = "".join(
        f"  - id: s{i}\n    title: Part {i}\n    blocks:\n"
        + "".join(f"      - paragraph: {paragraph}\n" for _ in range(8))
        for i in range(1300)
    )
    path = write(tmp_path, "big.yaml", document_yaml(sections=sections))
    assert path.stat().st_size > 5 * 1024 * 1024
    document = load_document(path)
    assert len(document.entries) == 1300
    assert document.entry("s1299").number == 1300


def test_file_over_the_size_limit_is_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(loader_module, "MAX_FILE_BYTES", 100)
    path = write(tmp_path, "huge.yaml", document_yaml())
    with pytest.raises(ContentError) as caught:
        load_document(path)
    assert caught.value.message.startswith("huge.yaml")
    assert "split it" in caught.value.message
    library = load_library(tmp_path)
    assert library.documents == []
    assert "split it" in library.errors[0].message


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.check_call [['touch', '{marker}']]",
        "!!python/name:os.system",
    ],
)
def test_python_tags_are_refused_and_never_run(tmp_path, tag):
    marker = tmp_path / "ran"
    text = document_yaml().replace("title: About ALS", "title: " + tag.format(marker=marker))
    error = parse_error(text)
    assert not marker.exists()
    assert error.line == 2
    assert "python" in error.message
    assert "remove" in error.message


def test_file_that_is_not_a_mapping_says_what_it_must_be():
    error = parse_error("- just\n- a list\n")
    assert "must be a mapping" in error.message


# -- sections and blocks -------------------------------------------------------------------


def test_section_without_title_names_the_section_and_its_line():
    sections = (
        "  - id: intro\n    title: Introduction\n    blocks:\n      - paragraph: Hi\n"
        "  - id: symptoms\n    blocks:\n      - paragraph: Weakness\n"
    )
    error = parse_error(document_yaml(sections=sections))
    assert error.key_path == "sections[1]"
    assert error.line == 10
    assert "line 10, at sections[1]: 'title' is missing" in error.message


def test_unknown_block_type_lists_the_allowed_types():
    sections = "  - id: intro\n    title: Intro\n    blocks:\n      - tabel: a | b\n"
    error = parse_error(document_yaml(sections=sections))
    assert error.key_path == "sections[0].blocks[0]"
    assert error.line == 9
    assert "unknown block type 'tabel'" in error.message
    for kind in BlockKind:
        assert kind.value in error.message


def test_section_with_nothing_in_it_is_refused():
    error = parse_error(document_yaml(sections="  - id: intro\n    title: Intro\n"))
    assert "section 'intro' has no blocks and no subsections" in error.message


def test_duplicate_section_ids_are_named():
    sections = (
        "  - id: intro\n    title: One\n    blocks:\n      - paragraph: a\n"
        "    sections:\n"
        "      - id: intro\n        title: Two\n        blocks:\n          - paragraph: b\n"
    )
    error = parse_error(document_yaml(sections=sections))
    assert "section ids must be unique; repeated: intro" in error.message


@pytest.mark.parametrize("bad_id", ["Intro", "two words", "-dash"])
def test_bad_section_id_says_which_characters_are_allowed(bad_id):
    sections = f"  - id: '{bad_id}'\n    title: Intro\n    blocks:\n      - paragraph: a\n"
    error = parse_error(document_yaml(sections=sections))
    assert error.key_path == "sections[0].id"
    assert error.line == 6
    assert f"id '{bad_id}' must use only lowercase letters, digits and hyphens" in error.message


def test_bad_document_id_is_refused():
    error = parse_error(document_yaml(doc_id="NINDS ALS"))
    assert error.key_path == "id"
    assert error.line == 1
    assert "lowercase letters" in error.message


def test_unknown_key_names_the_key_and_the_allowed_ones():
    sections = (
        "  - id: intro\n    title: Intro\n    subtitle: Extra\n    blocks:\n      - paragraph: a\n"
    )
    error = parse_error(document_yaml(sections=sections))
    assert error.key_path == "sections[0].subtitle"
    assert error.line == 8
    assert "unknown key 'subtitle'" in error.message
    assert "allowed here: aliases, blocks, id, sections, title" in error.message


def test_title_that_is_a_number_must_be_text():
    error = parse_error(document_yaml().replace("title: About ALS", "title: 42"))
    assert error.key_path == "title"
    assert error.line == 2
    assert "'title' must be non-empty text" in error.message


def test_aliases_that_are_a_string_must_be_a_list():
    sections = (
        "  - id: intro\n    title: Intro\n    aliases: start\n    blocks:\n      - paragraph: a\n"
    )
    error = parse_error(document_yaml(sections=sections))
    assert error.key_path == "sections[0].aliases"
    assert error.line == 8
    assert "'aliases' must be a list of non-empty strings" in error.message


def test_missing_source_asks_for_the_publisher():
    text = document_yaml().replace("source:\n  publisher: NINDS\n", "")
    error = parse_error(text)
    assert "'source' is missing; give at least its publisher" in error.message


def test_unquoted_date_in_source_is_kept_as_written():
    text = document_yaml().replace("NINDS\n", "NINDS\n  date: 2023-05-01\n")
    assert parse_document(text).source.date == "2023-05-01"


# -- model ---------------------------------------------------------------------------------

NESTED = """\
id: ninds-als
title: Amyotrophic Lateral Sclerosis (ALS) Fact Sheet
spoken_title: the NINDS fact sheet
source:
  publisher: National Institute of Neurological Disorders and Stroke
  date: "2023"
  licence: Public domain
  attribution: NIH Publication No. 23-916
sections:
  - id: what-is-als
    title: What is ALS?
    aliases: [about ALS, "what is it"]
    blocks:
      - paragraph: ALS is a rare neurological disease.
      - callout:
          lead: "Important:"
          text: ALS is not contagious.
    sections:
      - id: who-gets-als
        title: Who gets ALS?
        blocks:
          - list:
              - lead: "Age:"
                text: Symptoms usually start between 55 and 75.
              - "Sex: men are slightly more likely to develop ALS."
              - "yes"
        sections:
          - id: risk-factors
            title: Risk factors
            blocks:
              - paragraph: "Smoking: 1.0 times the risk? It's \\u201cunclear\\u201d."
  - id: treatment
    title: Treatment
    blocks:
      - paragraph: There is no cure.
"""


def test_round_trip_keeps_every_part_of_the_document():
    document = parse_document(NESTED)
    assert parse_document(dump_document(document)) == document


def test_round_trip_detects_a_changed_document():
    document = parse_document(NESTED)
    changed = dump_document(document).replace("There is no cure.", "There is a cure.")
    assert parse_document(changed) != document


def test_parsed_document_keeps_lead_ins_aliases_and_typography():
    document = parse_document(NESTED)
    what = document.entry("what-is-als").section
    assert what.aliases == ("about ALS", "what is it")
    assert what.blocks[1].kind is BlockKind.CALLOUT
    assert what.blocks[1].text.full == "Important: ALS is not contagious."
    items = document.entry("who-gets-als").section.blocks[0].items
    assert [t.lead for t in items] == ["Age:", "", ""]
    assert items[2].text == "yes"
    risk = document.entry("risk-factors").section.blocks[0].text.text
    assert risk == "Smoking: 1.0 times the risk? It's \u201cunclear\u201d."


def test_entries_number_nested_sections_in_reading_order():
    document = parse_document(NESTED)
    rows = [
        (e.number, e.depth, e.section.id, e.parent.id if e.parent else None)
        for e in document.entries
    ]
    assert rows == [
        (1, 0, "what-is-als", None),
        (2, 1, "who-gets-als", "what-is-als"),
        (3, 2, "risk-factors", "who-gets-als"),
        (4, 0, "treatment", None),
    ]


def test_entry_by_id_and_section_ids():
    document = parse_document(NESTED)
    assert document.entry("risk-factors").number == 3
    assert document.entry("no-such-section") is None
    assert document.section_ids() == ["what-is-als", "who-gets-als", "risk-factors", "treatment"]


def test_spoken_title_defaults_to_the_title():
    assert parse_document(document_yaml()).spoken_title == "About ALS"


# -- regressions found by the property tests (tests/test_properties.py) --------------------


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("2023-02-30", "date"),  # was a bare ValueError from PyYAML's date parsing
        ("!!int abc", "number"),  # ValueError
        ("!!int ''", "number"),  # IndexError
        ("!!bool maybe", "yes/no value"),  # KeyError
        ("!!timestamp nope", "date"),  # AttributeError
        ("1" * 5000, "number"),  # ValueError: Python's limit on long int conversion
        ("0x" + "f" * 4000, "number"),  # loaded, then str() of it raised ValueError
    ],
    ids=["impossible-date", "int-tag", "empty-int", "bool-tag", "timestamp-tag", "long", "hex"],
)
def test_value_yaml_cannot_build_is_a_content_error_with_its_line(value, kind):
    error = parse_error(document_yaml().replace("NINDS\n", f"NINDS\n  date: {value}\n"))
    assert error.line == 5
    assert f"is not a valid {kind}; put it in quotes" in error.message
    assert len(error.message) < 200


@pytest.mark.parametrize(
    "text",
    [
        "[" * 2000 + "]" * 2000,  # was RecursionError in PyYAML's composer
        "id: deep\n" + "".join("  " * i + f"k{i}:\n" for i in range(200)),
    ],
    ids=["flow", "block"],
)
def test_nesting_deep_enough_to_crash_python_is_refused(text):
    error = parse_error(text)
    assert "nested more than 50 levels deep" in error.message


@pytest.mark.parametrize(
    "sections",
    [
        # 12 levels of 12 aliases: 12**12 sections, a hang (and memory exhausted) before
        "  - &s0 {id: s, title: T, blocks: [{paragraph: p}]}\n"
        + "".join(
            f"  - &s{n} {{id: s{n}, title: T, sections: [{', '.join([f'*s{n - 1}'] * 12)}]}}\n"
            for n in range(1, 13)
        ),
        # a section that contains itself: was RecursionError
        "  - &s {id: s, title: T, sections: [*s]}\n",
    ],
    ids=["bomb", "recursive"],
)
def test_aliases_are_refused(sections):
    error = parse_error(document_yaml(sections=sections))
    assert "aliases ('*s" in error.message
    assert "write the text out in full" in error.message


def test_special_character_error_is_one_plain_line_with_its_line_number():
    error = parse_error(document_yaml().replace("About ALS", "About\x00ALS"))
    assert error.line == 2
    assert error.message == (
        "leaflet.yaml, line 2: the file holds a special character (#x0000) that is not "
        "allowed in a content file; delete it"
    )  # was "YAML error: ... in "<unicode string>", position 21" over two lines


def test_unhashable_key_is_not_blamed_on_a_tag():
    error = parse_error(document_yaml().replace("title: About ALS", "{[a]: b}: About ALS"))
    assert "found unhashable key" in error.message
    assert "write this part as plain text" in error.message
    assert "'!!' tag" not in error.message


def test_long_or_multi_line_keys_and_ids_are_shown_short_on_one_line():
    key = f'"odd\\nkey {"x" * 500}": 1\n'
    error = parse_error(document_yaml().replace("title: About", key + "title: About"))
    assert "unknown key 'odd key xxxxxxxx" in error.message
    assert "\n" not in error.message and len(error.message) < 300
    error = parse_error(document_yaml(doc_id='"bad\\nid"'))
    assert "id 'bad id' must use only lowercase letters" in error.message


def test_file_that_cannot_be_read_is_a_content_error_not_a_crash(tmp_path, monkeypatch):
    with pytest.raises(ContentError, match="cannot read the file"):
        load_document((tmp_path / "folder.yaml").mkdir() or tmp_path / "folder.yaml")
    write(tmp_path, "a.yaml", document_yaml("first"))
    write(tmp_path, "b.yaml", document_yaml("second"))
    real_read_bytes = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == "a.yaml":
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)  # was a PermissionError from the loop
    library = load_library(tmp_path)
    assert [d.id for d in library.documents] == ["second"]
    assert [e.message for e in library.errors] == [
        "a.yaml: cannot read the file (Permission denied)"
    ]


def test_unreadable_content_folder_is_a_content_error(tmp_path, monkeypatch):
    def iterdir(path: Path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", iterdir)
    library = load_library(tmp_path)
    assert library.documents == []
    assert "cannot read the content folder" in library.errors[0].message
    assert "Permission denied" in library.errors[0].message


def test_next_line_character_survives_a_round_trip():
    # U+0085 is what a Windows ellipsis becomes when the text is read as Latin-1; PyYAML
    # wrote it raw in single quotes, so it read back as a space
    text = document_yaml().replace("ALS affects nerve cells.", '"ALS affects nerve\\Ncells."')
    document = parse_document(text)
    assert document.sections[0].blocks[0].text.text == "ALS affects nerve\x85cells."
    assert parse_document(dump_document(document)) == document
