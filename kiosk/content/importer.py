"""Turn a plain-text or Markdown patient document into a draft Document for a clinic to tidy.

The importer does the mechanical work (headings, lists, lead-ins, links, page breaks,
furniture) so that a person only has to review the draft, add aliases and fix what the
source's layout could not say. Page furniture is dropped; credits (byline, "Prepared by:",
publication number, date) go to the Source rather than the body. See
``importer_layout`` for what counts as furniture and ``importer_text`` for line rules.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.content.errors import ContentError, shown
from kiosk.content.importer_layout import Chunk, Layout, analyse, split_chunks
from kiosk.content.importer_text import (
    BULLET,
    PHONE,
    bold_only,
    clean,
    ends_sentence,
    is_link_only,
    looks_like_heading,
    make_text,
    same_title,
    slugify,
    starts_lowercase,
    unique_id,
)
from kiosk.content.loader import ID_PATTERN, dump_document, parse_document
from kiosk.content.model import Block, BlockKind, Document, Section, Source, Text

INTRO_TITLE = "Overview"
"""Title of the section that holds text found before the first heading."""
UNKNOWN_PUBLISHER = "Unknown publisher (fill in before use)"
"""The Source needs a publisher; a draft says plainly when the text did not name one."""

_MARKDOWN_HINT = re.compile(r"^#{1,6}[ \t]+\S|\*\*\S|\]\([^)\s]*\)|^[ \t]*>[ \t]", re.MULTILINE)


@dataclass(frozen=True)
class _Heading:
    """A heading found in the text; level 1 is a top-level section."""

    title: str
    level: int


@dataclass
class _Node:
    """A section under construction."""

    title: str
    level: int
    blocks: list[Block] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)


def import_text(text: str, doc_id: str, *, markdown: bool | None = None) -> Document:
    """A draft Document from plain text or Markdown (``markdown=None`` detects it).

    Raises ContentError for a bad id or a text with no body to import.
    """
    if not ID_PATTERN.match(doc_id):
        raise ContentError(
            f"document id '{shown(doc_id)}' must use only lowercase letters, digits and hyphens "
            "(for example 'ninds-als')"
        )
    if markdown is None:
        markdown = bool(_MARKDOWN_HINT.search(text))
    layout = analyse(split_chunks(text, markdown), markdown)
    explicit = any(c.level for c in layout.body)
    items = _classify(layout, markdown, explicit)
    if not any(isinstance(item, Block) for item in items):
        raise ContentError("the document has no body text to import (is the file empty?)")
    sections = _assemble(_demote_empty_headings(items))
    credits = (a.rstrip(".").strip() for a in layout.attribution)
    source = Source(
        publisher=layout.publisher or UNKNOWN_PUBLISHER,
        date=layout.date,
        attribution=". ".join(c for c in credits if c),
    )
    title = layout.title or " ".join(doc_id.replace("-", " ").split()).capitalize()
    return Document(doc_id, title, title, source, tuple(sections))


def import_file(path: Path, doc_id: str, *, markdown: bool | None = None) -> Document:
    """Import a UTF-8 text or Markdown file (``.md`` files are read as Markdown)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ContentError(f"cannot read the file ({error.strerror})", path=path) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ContentError(
            "the file is not UTF-8 text; save it with UTF-8 encoding and import it again",
            path=path,
            line=line,
        ) from error
    if markdown is None and path.suffix.lower() in {".md", ".markdown"}:
        markdown = True
    return import_text(text, doc_id, markdown=markdown)


def run_import(source: Path, doc_id: str, out: Path | None) -> int:
    """CLI verb ``kiosk import FILE --id ID [--out FILE]``: print or write the draft YAML.

    Returns 0 on success; on any problem prints one clear line to stderr and returns 1.
    """
    try:
        document = import_file(source, doc_id)
        text = dump_document(document)
        parse_document(text, f"<import of {Path(source).name}>")  # the draft must load
    except ContentError as error:
        print(f"kiosk import: {error.message}", file=sys.stderr)
        return 1
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"kiosk import: cannot write {out} ({error.strerror})", file=sys.stderr)
        return 1
    return 0


# --- chunks to headings and blocks ----------------------------------------------------------


def _classify(layout: Layout, markdown: bool, explicit: bool) -> list[_Heading | Block]:
    """Headings and blocks in reading order. With Markdown '#' headings only those count;
    otherwise TOC titles are top-level and other heading-like lines are subsections."""
    chunks = layout.body
    items: list[_Heading | Block] = []
    index = 0
    while index < len(chunks):
        chunk = chunks[index]
        following = chunks[index + 1] if index + 1 < len(chunks) else None
        if chunk.level:
            items.append(_Heading(clean(chunk.text, markdown), chunk.level))
            index += 1
            continue
        contacts, after = _contact_list(chunks, index, markdown)
        if contacts:
            items.append(contacts)
            index = after
            continue
        if not explicit and (level := _heading_level(chunk, items, following, layout, markdown)):
            items.append(_Heading(clean(chunk.text, markdown), level))
            index += 1
            continue
        if markdown and (callout := _bold_callout(chunks, index)):
            items.append(callout[0])
            index = callout[1]
            continue
        items.extend(_blocks(chunk, markdown))
        index += 1
    return _merge_lists(_without_empty_text(items))


def _heading_level(
    chunk: Chunk,
    items: list[_Heading | Block],
    following: Chunk | None,
    layout: Layout,
    markdown: bool,
) -> int:
    """1 for a TOC title, 2 (1 without a TOC) for another heading-like line, 0 for text."""
    if len(chunk.lines) != 1 or following is None:
        return 0
    line = chunk.lines[0].strip()
    if markdown and is_link_only(line):
        return 0
    title = clean(line, markdown)
    if any(same_title(title, entry) for entry in layout.toc):
        return 1
    previous = items[-1] if items else None
    if (
        isinstance(previous, Block)
        and previous.kind is BlockKind.PARAGRAPH
        and previous.text is not None
        and not ends_sentence(previous.text.full)
    ):
        return 0  # a fragment after unfinished text is not a heading
    if len(following.lines) == 1 and PHONE.match(following.text):
        return 0
    if not looks_like_heading(title):
        return 0
    return 2 if layout.toc else 1


def _contact_list(chunks: list[Chunk], index: int, markdown: bool) -> tuple[Block | None, int]:
    """A resource list: names (Markdown links, or short lines followed by a phone number),
    each optionally followed by its phone number on a line of its own."""
    items: list[Text] = []
    with_phone = False
    while index < len(chunks):
        chunk = chunks[index]
        if chunk.level or len(chunk.lines) != 1:
            break
        following = chunks[index + 1] if index + 1 < len(chunks) else None
        phone = (
            following is not None
            and len(following.lines) == 1
            and bool(PHONE.match(following.text))
        )
        name = clean(chunk.text, markdown)
        if not (markdown and is_link_only(chunk.text)) and not (phone and looks_like_heading(name)):
            break
        if phone and following is not None:
            label = name if ends_sentence(name) else f"{name}:"
            items.append(Text(following.text, lead=label))
            with_phone = True
            index += 2
        else:
            items.append(Text(name))
            index += 1
    if len(items) >= 2 or with_phone:
        return Block(BlockKind.LIST, items=tuple(items)), index
    return None, index


def _bold_callout(chunks: list[Chunk], index: int) -> tuple[Block, int] | None:
    """A wholly bold paragraph (e.g. "Learn more about related topics"), with any link-only
    lines after it as its text, is a callout box."""
    inner = bold_only("\n".join(chunks[index].lines))
    if inner is None:
        return None
    label = clean(inner, markdown=True)
    links: list[str] = []
    end = index + 1
    while (
        end < len(chunks)
        and not chunks[end].level
        and all(is_link_only(line) for line in chunks[end].lines)
    ):
        links.extend(link for line in chunks[end].lines if (link := clean(line, markdown=True)))
        end += 1
    if not links:
        return Block(BlockKind.CALLOUT, text=Text(label)), end
    lead = label if ends_sentence(label) else f"{label}:"
    return Block(BlockKind.CALLOUT, text=Text("; ".join(links), lead=lead)), end


def _blocks(chunk: Chunk, markdown: bool) -> list[Block]:
    """Paragraphs and lists in one chunk: a line ending in ':' before bullets stays a
    paragraph; an indented or lowercase line after a bullet continues that item, and any
    other line starts a paragraph again."""
    if markdown and all(line.lstrip().startswith(">") for line in chunk.lines):
        quoted = "\n".join(line.lstrip()[1:] for line in chunk.lines)
        return [Block(BlockKind.CALLOUT, text=make_text(quoted, markdown))]
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(
                Block(BlockKind.PARAGRAPH, text=make_text("\n".join(paragraph), markdown))
            )
            paragraph.clear()

    def flush_list() -> None:
        if items:
            texts = tuple(make_text(item, markdown) for item in items)
            blocks.append(Block(BlockKind.LIST, items=texts))
            items.clear()

    for line in chunk.lines:
        bullet = BULLET.match(line)
        if bullet:
            flush_paragraph()
            items.append(bullet["item"])
        elif items and (line[:1] in {" ", "\t", "\u00a0"} or starts_lowercase(line)):
            items[-1] = f"{items[-1]}\n{line}"
        else:
            flush_list()
            paragraph.append(line)
    flush_paragraph()
    flush_list()
    return [b for b in blocks if any(t.full for t in b.texts())]


def _without_empty_text(items: list[_Heading | Block]) -> list[_Heading | Block]:
    """Markup with no words in it ("# **", "- [](x)", a lone ">") leaves no heading, list
    item or block: the loader refuses empty text."""
    kept: list[_Heading | Block] = []
    for item in items:
        if isinstance(item, _Heading):
            if item.title:
                kept.append(item)
        elif item.kind is BlockKind.LIST:
            texts = tuple(t for t in item.items if t.text)
            if texts:
                kept.append(Block(BlockKind.LIST, items=texts))
        elif item.text is not None and item.text.text:
            kept.append(item)
    return kept


def _merge_lists(items: list[_Heading | Block]) -> list[_Heading | Block]:
    """Adjacent lists (a "loose" list with blank lines between items) become one list."""
    merged: list[_Heading | Block] = []
    for item in items:
        previous = merged[-1] if merged else None
        if (
            isinstance(item, Block)
            and isinstance(previous, Block)
            and item.kind is previous.kind is BlockKind.LIST
        ):
            merged[-1] = Block(BlockKind.LIST, items=previous.items + item.items)
        else:
            merged.append(item)
    return merged


# --- headings and blocks to sections -------------------------------------------------------


def _demote_empty_headings(items: list[_Heading | Block]) -> list[_Heading | Block]:
    """A heading with nothing under it would make an empty (invalid) section; keep its
    words as a paragraph instead. Walks backwards so a demotion can fill the heading above."""
    result = list(items)
    for index in range(len(result) - 1, -1, -1):
        item = result[index]
        if not isinstance(item, _Heading):
            continue
        following = result[index + 1] if index + 1 < len(result) else None
        if following is None or (isinstance(following, _Heading) and following.level <= item.level):
            result[index] = Block(BlockKind.PARAGRAPH, text=Text(item.title))
    return result


def _assemble(items: list[_Heading | Block]) -> list[Section]:
    """Nest headings by level; text before the first heading goes in an Overview section."""
    roots: list[_Node] = []
    stack: list[_Node] = []
    for item in items:
        if isinstance(item, _Heading):
            node = _Node(item.title, item.level)
            while stack and stack[-1].level >= item.level:
                stack.pop()
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
        elif stack:
            stack[-1].blocks.append(item)
        else:
            if not roots or roots[-1].level != 0:
                roots.append(_Node(INTRO_TITLE, 0))
            roots[-1].blocks.append(item)
    taken: set[str] = set()
    return [_freeze(node, taken) for node in roots]


def _freeze(node: _Node, taken: set[str]) -> Section:
    section_id = unique_id(slugify(node.title), taken)
    children = tuple(_freeze(child, taken) for child in node.children)
    return Section(section_id, node.title, tuple(node.blocks), children)
