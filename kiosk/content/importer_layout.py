"""Page layout for the importer: what in a copied document is body text and what is furniture.

Text copied out of a PDF or web page arrives as blank-line-separated chunks mixed with
page furniture (running agency headers, page numbers, a table of contents, reading times)
and credits (bylines, "Prepared by:", publication numbers). This module splits the text
into chunks and sets the furniture and credits aside, so the importer only structures body
text; credits go to the document's Source instead of being read aloud as body.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.content.importer_text import (
    BULLET,
    BYLINE,
    BYLINE_DATE,
    DATE,
    MARKDOWN_HEADING,
    PAGE_NUMBER,
    READING_TIME,
    RULE,
    SETEXT_UNDERLINE,
    TOC_ENTRY,
    TOC_HEADER,
    TRAILER_START,
    clean,
    collapse,
    ends_sentence,
    looks_like_heading,
    same_title,
    starts_lowercase,
    strip_markdown,
)

MAX_HEADER_POSITION = 3
"""A running header is recognised only among the first few chunks of the document."""
MAX_TOC_POSITION = 12
"""A table of contents without a "Contents" header must appear this early to count."""
MIN_BODY_SENTENCE_WORDS = 6
"""A credits block never holds a sentence this long; body text usually does."""
MAX_CREDIT_WORDS = 16
"""A byline longer than this is body text that happens to start with "By"."""


@dataclass
class Chunk:
    """Consecutive non-blank source lines (a paragraph, a list, a heading, furniture)."""

    lines: list[str]
    """The raw lines, indentation and non-breaking spaces kept (bullets need them)."""
    line: int
    """1-based number of the first line in the source, for messages."""
    level: int = 0
    """The level of a Markdown heading (1 for '#'); 0 for anything else."""

    @property
    def text(self) -> str:
        """The lines joined by single spaces."""
        return collapse(" ".join(self.lines))


@dataclass
class Layout:
    """A document's chunks with the furniture removed and the credits set aside."""

    body: list[Chunk]
    """Chunks of body text in reading order (headings included)."""
    title: str = ""
    """The title line, or empty when the document has none."""
    toc: list[str] = field(default_factory=list)
    """Titles listed in a table of contents: the top-level sections, in order."""
    publisher: str = ""
    """The running agency header, which names the publisher."""
    attribution: list[str] = field(default_factory=list)
    """Byline and closing credits, each a line of the Source's attribution."""
    date: str = ""
    """A publication or review date stated in the byline or credits."""


def split_chunks(text: str, markdown: bool) -> list[Chunk]:
    """Blank-line-separated chunks; in Markdown a heading is always a chunk of its own."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\f", "\n\n\n")  # a form feed is a page break
    chunks: list[Chunk] = []
    current: list[str] = []
    start = 0

    def flush() -> None:
        if current:
            chunks.append(Chunk(list(current), start))
            current.clear()

    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip(" \t\u00a0"):
            flush()
            continue
        if markdown and (heading := MARKDOWN_HEADING.match(line)):
            flush()
            chunks.append(Chunk([heading["title"]], number, len(heading["hashes"])))
            continue
        if markdown and len(current) == 1 and SETEXT_UNDERLINE.match(line):
            if not BULLET.match(current[0]):
                chunks.append(Chunk([current[0]], start, 1 if line.lstrip()[0] == "=" else 2))
                current.clear()
                continue
        if RULE.match(line):
            flush()
            continue
        if not current:
            start = number
        current.append(line)
    flush()
    return chunks


def analyse(chunks: list[Chunk], markdown: bool) -> Layout:
    """Separate body chunks from furniture (dropped) and credits (kept for the Source)."""
    layout = Layout(body=list(chunks))
    _drop_running_headers(layout, markdown)
    layout.body = [c for c in layout.body if not _is_furniture(c)]
    _take_toc(layout, markdown)
    _take_title(layout, markdown)
    _take_front_matter(layout)
    _take_trailer(layout)
    layout.body = join_page_breaks(layout.body)
    return layout


def _drop_running_headers(layout: Layout, markdown: bool) -> None:
    """A chunk near the top that recurs later is a running header and goes everywhere; a
    multi-line one (an agency letterhead) names the publisher. Only a repeated first line
    keeps its first appearance, as it is the document's title."""
    body = layout.body
    keys = [_key(c, markdown) for c in body]
    dropped: set[int] = set()
    for index in range(min(MAX_HEADER_POSITION, len(body))):
        chunk = body[index]
        if chunk.level or ends_sentence(chunk.lines[-1]):
            continue
        repeats = [i for i in range(index + 1, len(body)) if keys[i] == keys[index]]
        if not repeats:
            continue
        dropped.update(repeats)
        if len(chunk.lines) > 1:
            layout.publisher = layout.publisher or chunk.text
        if len(chunk.lines) > 1 or index > 0:
            dropped.add(index)
    layout.body = [c for i, c in enumerate(body) if i not in dropped]


def _key(chunk: Chunk, markdown: bool) -> str:
    return clean(chunk.text, markdown).casefold()


def _is_furniture(chunk: Chunk) -> bool:
    """Page numbers and reading-time notes: meaningless once the text is off the page."""
    return len(chunk.lines) == 1 and bool(
        PAGE_NUMBER.match(chunk.text) or READING_TIME.match(chunk.text)
    )


def _take_toc(layout: Layout, markdown: bool) -> None:
    """Find the table of contents; its titles become the top-level sections. The
    "Contents" header may be a chunk of its own or the first line of the TOC chunk."""
    body = layout.body
    for index, chunk in enumerate(body):
        header_before = index > 0 and _is_toc_header(body[index - 1].lines)
        header_inside = len(chunk.lines) > 1 and _is_toc_header(chunk.lines[:1])
        headed = header_before or header_inside
        if not headed and index > MAX_TOC_POSITION:
            return
        entries = chunk.lines[1:] if header_inside else chunk.lines
        if not _all_toc_entries(chunk, entries, markdown) or not (headed or len(entries) > 1):
            continue
        end = index + 1
        while end < len(body) and _all_toc_entries(body[end], body[end].lines, markdown):
            entries = entries + body[end].lines
            end += 1
        for line in entries:
            entry = TOC_ENTRY.match(strip_markdown(line) if markdown else line)
            if entry:
                layout.toc.append(collapse(entry["title"]).rstrip(" .…·"))
        layout.body = body[: index - 1 if header_before else index] + body[end:]
        return


def _is_toc_header(lines: list[str]) -> bool:
    return len(lines) == 1 and bool(TOC_HEADER.match(strip_markdown(collapse(lines[0]))))


def _all_toc_entries(chunk: Chunk, lines: list[str], markdown: bool) -> bool:
    return (
        not chunk.level
        and bool(lines)
        and all(TOC_ENTRY.match(strip_markdown(line) if markdown else line) for line in lines)
    )


def _take_title(layout: Layout, markdown: bool) -> None:
    """The first chunk is the title when it is a lone heading-like line (or the only
    top-level Markdown heading); it is shown as the document title, not as a section."""
    if not layout.body:
        return
    first = layout.body[0]
    if first.level:
        if any(c.level and c.level <= first.level for c in layout.body[1:]):
            return
    elif len(first.lines) != 1 or any(same_title(first.text, entry) for entry in layout.toc):
        return
    title = clean(first.text, markdown)
    if looks_like_heading(title) or first.level:
        layout.title = title
        layout.body = layout.body[1:]


def _take_front_matter(layout: Layout) -> None:
    """Bylines, review dates and reading times straight after the title go to the Source."""
    while layout.body and layout.body[0].level == 0:
        lines = [collapse(line) for line in layout.body[0].lines]
        if not all(_is_credit_line(x) for x in lines):
            return
        for line in lines:
            if READING_TIME.match(line):
                continue
            if DATE.match(line):
                layout.date = layout.date or line
            elif match := BYLINE_DATE.match(line):
                layout.attribution.append(match["who"])
                layout.date = layout.date or match["date"]
            else:
                layout.attribution.append(line)
        layout.body = layout.body[1:]


def _is_credit_line(line: str) -> bool:
    """A byline, date or reading time: short and unpunctuated, so that a body sentence
    starting "By ..." is not taken for one."""
    if len(line.split()) > MAX_CREDIT_WORDS or ends_sentence(line):
        return False
    return bool(BYLINE.match(line) or READING_TIME.match(line) or DATE.match(line))


def _take_trailer(layout: Layout) -> None:
    """Closing credits ("Prepared by:", an address, "Publication No.", a date) go to the
    Source: they say who made the leaflet, which is not something to read as body text."""
    body = layout.body
    start = next(
        (
            i
            for i in range(len(body) // 2, len(body))
            if not body[i].level
            and TRAILER_START.match(collapse(body[i].lines[0]))
            and not any(_is_body_sentence(c) for c in body[i:])
        ),
        None,
    )
    if start is None:
        return
    pending = ""
    for chunk in body[start:]:
        if len(chunk.lines) == 1 and DATE.match(chunk.text):
            layout.date = chunk.text
            continue
        text = ", ".join(collapse(line) for line in chunk.lines)
        if pending:
            text, pending = f"{pending} {text}", ""
        if text.endswith(":"):
            pending = text
            continue
        layout.attribution.append(text)
    if pending:
        layout.attribution.append(pending.rstrip(":"))
    layout.body = body[:start]


def _is_body_sentence(chunk: Chunk) -> bool:
    return any(
        ends_sentence(line)
        and not line.rstrip().endswith(":")
        and len(line.split()) >= MIN_BODY_SENTENCE_WORDS
        for line in chunk.lines
    )


def join_page_breaks(chunks: list[Chunk]) -> list[Chunk]:
    """Rejoin text that a page break split mid-sentence: a chunk that does not end in
    sentence punctuation, followed by one starting in lowercase, is one paragraph (or the
    rest of a list item)."""
    joined: list[Chunk] = []
    for chunk in chunks:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and not previous.level
            and not chunk.level
            and not ends_sentence(previous.lines[-1])
            and not BULLET.match(chunk.lines[0])
            and starts_lowercase(chunk.lines[0])
        ):
            joined[-1] = Chunk(previous.lines + chunk.lines, previous.line)
        else:
            joined.append(chunk)
    return joined
