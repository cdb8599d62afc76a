"""The document model: what a patient-information document is, independent of YAML or Kivy.

Documents are immutable trees. Display text keeps the source's typography (curly quotes,
dashes); `kiosk.content.spoken` turns any of it into the plain form sent to speech.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class BlockKind(StrEnum):
    """The kinds of block a section may hold; the YAML key of a block is one of these."""

    PARAGRAPH = "paragraph"
    LIST = "list"
    CALLOUT = "callout"


@dataclass(frozen=True)
class Text:
    """A run of display text, optionally opened by a bold lead-in such as "Age:"."""

    text: str
    """The body text, with the source's typography kept."""
    lead: str = ""
    """A bold lead-in shown (and spoken) before the text; empty when there is none."""

    @property
    def full(self) -> str:
        """Lead-in and body as one plain string, as a reader would say it."""
        return f"{self.lead} {self.text}".strip() if self.lead else self.text


@dataclass(frozen=True)
class Block:
    """One paragraph, bulleted list or callout box inside a section."""

    kind: BlockKind
    """Which kind of block this is."""
    text: Text | None = None
    """The paragraph or callout text; None for a list."""
    items: tuple[Text, ...] = ()
    """The bullet items of a list, in order; empty for a paragraph or callout."""

    def texts(self) -> tuple[Text, ...]:
        """Every run of text in the block, in reading order."""
        return self.items if self.kind is BlockKind.LIST else (self.text,) if self.text else ()


@dataclass(frozen=True)
class Section:
    """A titled part of a document; may hold blocks of its own and nested subsections."""

    id: str
    """Stable identifier, unique within the document (used by CLI verbs and voice)."""
    title: str
    """The heading shown and spoken."""
    blocks: tuple[Block, ...] = ()
    """The section's own content, before any subsection."""
    sections: tuple[Section, ...] = ()
    """Nested subsections, in reading order."""
    aliases: tuple[str, ...] = ()
    """Other names a person may say to open this section."""


OPEN_LICENCES = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\bpublic[- ]domain\b",
        r"\bCC[- ]?(BY|0)\b",
        r"\bcreative commons\b",
        r"\bopen government licen[cs]e\b",
        r"\bwith (?:[\w’']+ ){0,3}permission\b",  # "shown with WebMD's written permission"
        r"\bpermission (?:was )?(?:granted|given)\b",  # "permission granted by WebMD, 3 May"
    )
)
"""Licence wordings that allow a document to be shown in public: public domain, an open
licence, or a permission the clinic has recorded."""


NO_PERMISSION = re.compile(r"\b(?:no|not|without|pending)\b[^.;]*\bpermission\b",
                           re.IGNORECASE)
"""A licence that says permission is missing ("not shown with permission")."""


@dataclass(frozen=True)
class Source:
    """Where a document comes from, shown on its Contents screen."""

    publisher: str
    """Who published the original document."""
    date: str = ""
    """When it was published or reviewed, as the source states it."""
    licence: str = ""
    """Licence or permission under which the kiosk shows it, as far as it is known (a
    copyright line alone, such as "© WebMD", when no licence is recorded)."""
    attribution: str = ""
    """Credit line (authors, reviewers, publication number)."""

    @property
    def may_be_shown_in_public(self) -> bool:
        """Whether the licence itself allows showing the document on a public kiosk: public
        domain or an open licence. Anything else needs the publisher's permission."""
        if NO_PERMISSION.search(self.licence):
            return False
        return any(term.search(self.licence) for term in OPEN_LICENCES)


@dataclass(frozen=True)
class Entry:
    """A section's place in a document's reading order (what the Contents screen lists)."""

    number: int
    """1-based position in reading order; the number shown on the Contents button."""
    depth: int
    """0 for a top-level section, 1 for its subsections, and so on."""
    section: Section
    """The section itself."""
    parent: Section | None = None
    """The enclosing section, or None at the top level."""


@dataclass(frozen=True)
class Document:
    """A whole patient-information document."""

    id: str
    """Stable identifier (e.g. ``ninds-als``), unique across the content folder."""
    title: str
    """The source's own title, shown on the Home button and as the page heading."""
    spoken_title: str
    """A short title for speech and voice commands (e.g. "the NINDS fact sheet")."""
    source: Source
    """Publisher, date, licence and attribution."""
    sections: tuple[Section, ...]
    """Top-level sections, in reading order."""
    _entries: tuple[Entry, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        entries: list[Entry] = []

        def visit(sections: tuple[Section, ...], depth: int, parent: Section | None) -> None:
            for section in sections:
                entries.append(Entry(len(entries) + 1, depth, section, parent))
                visit(section.sections, depth + 1, section)

        visit(self.sections, 0, None)
        object.__setattr__(self, "_entries", tuple(entries))

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every section, nested ones included, in reading order and numbered from 1."""
        return self._entries

    def entry(self, section_id: str) -> Entry | None:
        """The entry of the section with this id, or None."""
        return next((e for e in self._entries if e.section.id == section_id), None)

    def section_ids(self) -> list[str]:
        """All section ids in reading order (for error messages that list valid ids)."""
        return [e.section.id for e in self._entries]

    def iter_texts(self) -> Iterator[Text]:
        """Every run of body text in reading order (headings excluded)."""
        for entry in self._entries:
            for block in entry.section.blocks:
                yield from block.texts()
