"""Line- and phrase-level rules for the importer: cleaning inline text and recognising lines.

Kept apart from the layout and assembly steps so each rule can be read (and tested) on a
single string. Display text keeps the source's typography; only whitespace is normalised.
"""

from __future__ import annotations

import re
import unicodedata

from kiosk.content.model import Text

NBSP = "\u00a0"
_SPACE = f"[ \\t{NBSP}]"

BULLET = re.compile(rf"^{_SPACE}*(?:[•*\-–]|\d{{1,2}}[.)]){_SPACE}+(?P<item>\S.*)$")
"""A list line: optional indentation (spaces, tabs or NBSP), a bullet or a number, the item.
The model has no numbered list; numbered steps keep their order as a bulleted list."""

MARKDOWN_HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.+?)[ \t#]*$")
SETEXT_UNDERLINE = re.compile(r"^(?:=+|-{2,})[ \t]*$")
RULE = re.compile(r"^[ \t]*(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")

TOC_ENTRY = re.compile(
    r"^(?P<title>\S.*?)(?:[ \t]*[.…·]{2,}[ \t]*|[ \t]*\t[ \t]*)(?P<page>\d{1,4})[ \t]*$"
)
"""A table-of-contents line: a title, then dotted leaders and/or a tab, then a page number."""

TOC_HEADER = re.compile(r"^(?:table of )?contents:?$", re.IGNORECASE)
PAGE_NUMBER = re.compile(r"^(?:page[ \t]+)?\d{1,3}(?:[ \t]+of[ \t]+\d{1,3})?$", re.IGNORECASE)
PHONE = re.compile(
    r"^(?:\+?1[-. ])?\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4}(?:[ \t]*\(?(?:TTY|toll[- ]free)\)?)?$"
)
READING_TIME = re.compile(r"^\d+[ \t]*min(?:ute)?s?\.?[ \t]+read$", re.IGNORECASE)

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
DATE = re.compile(rf"^(?:{_MONTH}[ \t]+)?(?:\d{{1,2}},?[ \t]+)?\d{{4}}$")
"""A line that is only a date ("March 2025", "April 14, 2023"): publication metadata."""

BYLINE = re.compile(
    r"^(?:(?:Medically|Clinically)[ \t]+)?(?:Reviewed|Written|Updated|Published)[ \t]+(?:by|on)\b"
    r"|^By[ \t]+[A-Z]",
)
BYLINE_DATE = re.compile(
    rf"^(?P<who>.+?)[ \t]+on[ \t]+(?P<date>{_MONTH}[ \t]+\d{{1,2}},?[ \t]+\d{{4}})$"
)
TRAILER_START = re.compile(
    r"^(?:Prepared|Written|Produced|Published|Developed)[ \t]+by\b"
    r"|^Publication[ \t]+(?:No\.?|Number)\b"
    r"|^(?:Last[ \t]+)?(?:Reviewed|Updated|Revised)[ \t]+(?:on\b|\d)",
    re.IGNORECASE,
)
"""Where the closing credits of a leaflet begin (moved to the Source, not the body)."""

_LINK = re.compile(r"!?\[(?P<text>(?:\\.|[^\]\\])*)\]\((?P<target>[^)\s]*)(?:[ \t]+\"[^\"]*\")?\)")
_LINK_ONLY = re.compile(r"^[ \t]*(?:!?\[(?:\\.|[^\]\\])*\]\([^)]*\)[ \t]*)+$")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(?P<inner>.+?)(?<=\S)\1", re.DOTALL)
_EMPHASIS = re.compile(r"(?<![*\w])\*(?=\S)(?P<inner>[^*]+?)(?<=\S)\*(?![*\w])")
_ESCAPE = re.compile(r"\\(?P<char>[\\`*_{}\[\]()#+\-.!>])")
_ESCAPED_BASE = 0xF700
"""Escaped ASCII punctuation is hidden as U+F700 + its code while inline Markdown is removed."""
_HIDDEN = re.compile("[\uf720-\uf77e]")
_BOLD_LEAD = re.compile(r"^(\*\*|__)(?P<lead>\S.*?)(?<=\S)\1[ \t\u00a0]*(?P<text>\S.*)$", re.DOTALL)
_BOLD_ONLY = re.compile(r"^[ \t]*(\*\*|__)(?P<inner>\S.*?)(?<=\S)\1[ \t]*$", re.DOTALL)
_NBSP_LEAD = re.compile(r"^(?P<lead>[^\u00a0]{2,80}?[.:])\u00a0+(?P<text>\S.*)$", re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?:;…][\"”’')\]]*$")
_WHITESPACE = re.compile(r"[\s\u00a0]+")

MAX_LEAD_WORDS = 8
"""A plain-text lead-in longer than this is a sentence of its own, not a label."""
MAX_HEADING_WORDS = 14
MAX_HEADING_CHARS = 100


def collapse(text: str) -> str:
    """Whitespace (NBSP included) collapsed to single spaces, ends stripped; typography kept."""
    return _WHITESPACE.sub(" ", text).strip()


def strip_markdown(text: str) -> str:
    """Inline Markdown removed: links and images keep only their text, bold and emphasis
    markers go, and backslash escapes such as ``\\(`` become the plain character."""
    # Escaped characters are set aside first (as private-use characters), so that "\\*x\\*"
    # stays "*x*" instead of being read as emphasis, and "\\[" never opens a link.
    text = _ESCAPE.sub(lambda m: chr(_ESCAPED_BASE + ord(m.group("char"))), text)
    text = _LINK.sub(lambda m: m.group("text"), text)
    text = _BOLD.sub(lambda m: m.group("inner"), text)
    text = _EMPHASIS.sub(lambda m: m.group("inner"), text)
    text = text.replace("**", "")
    return _HIDDEN.sub(lambda m: chr(ord(m.group()) - _ESCAPED_BASE), text)


def clean(text: str, markdown: bool) -> str:
    """Display text for one run: Markdown syntax removed (when Markdown) and spaces collapsed."""
    return collapse(strip_markdown(text) if markdown else text)


def make_text(raw: str, markdown: bool) -> Text:
    """A Text from raw source, splitting off a bold lead-in (``**Age:** ...``) or a plain one
    ("Spinal tap.<NBSP>This is ...", where the NBSP shows the source had it as a label)."""
    if markdown and (match := _BOLD_LEAD.match(raw.strip())):
        lead, body = clean(match["lead"], markdown), clean(match["text"], markdown)
        if lead and body:
            return Text(body, lead)
    match = _NBSP_LEAD.match(raw.strip(f" \t{NBSP}"))
    if match and len(match["lead"].split()) <= MAX_LEAD_WORDS:
        lead, body = clean(match["lead"], markdown), clean(match["text"], markdown)
        if lead and body:
            return Text(body, lead)
    return Text(clean(raw, markdown))


def is_link_only(line: str) -> bool:
    """True for a line that is nothing but Markdown links (a resource name, a "read more")."""
    return bool(_LINK_ONLY.match(line))


def bold_only(text: str) -> str | None:
    """The inner text of a paragraph that is wholly bold, else None."""
    match = _BOLD_ONLY.match(text)
    return match["inner"] if match else None


def ends_sentence(text: str) -> bool:
    """True when text ends with sentence punctuation (optionally inside closing quotes)."""
    return bool(_SENTENCE_END.search(text.rstrip(f" \t{NBSP}")))


def starts_lowercase(text: str) -> bool:
    """True when the first letter-or-digit of text is a lowercase letter (a continuation)."""
    for char in text:
        if char.isalnum():
            return char.islower()
    return False


def looks_like_heading(line: str) -> bool:
    """A short line that could be a heading: starts with a capital or digit, has letters,
    does not end like a sentence (a question mark is allowed), is no bullet, phone or byline."""
    words = line.split()
    if not words or len(words) > MAX_HEADING_WORDS or len(line) > MAX_HEADING_CHARS:
        return False
    if BULLET.match(line) or PHONE.match(line) or DATE.match(line) or BYLINE.match(line):
        return False
    first = line[0]
    if not (first.isupper() or first.isdigit()) or not any(c.isalpha() for c in line):
        return False
    return line.endswith("?") or (not ends_sentence(line) and not line.endswith(","))


def same_title(a: str, b: str) -> bool:
    """Titles equal ignoring case, spacing and trailing dots (TOC entry vs body heading)."""
    return _title_key(a) == _title_key(b)


def _title_key(title: str) -> str:
    return collapse(title).rstrip(" .…·:").casefold()


_STOP_WORDS = frozenset(
    (
        "a an the is are was of to and or for in on at by with about from my i me can do does "
        "be it its this that there their as into than we you your one who what how where when "
        "why which"
    ).split()
)
MAX_SLUG_WORDS = 5


def slugify(title: str) -> str:
    """A short id from a title: "What is amyotrophic lateral sclerosis (ALS)?" -> "what-is-als".

    A spelled-out term followed by its acronym collapses to the acronym; other brackets go;
    a long title keeps its first few words that are not small function words.
    """
    text = re.sub(r"\(([A-Z][A-Za-z0-9]{1,7})\)", lambda m: _acronym_marker(m), title)
    text = _collapse_acronyms(text)
    text = re.sub(r"\([^)]*\)", " ", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"['’]", "", text)
    words = re.findall(r"[a-z0-9]+", text.lower())
    if len(words) > MAX_SLUG_WORDS - 1:
        words = [w for w in words if w not in _STOP_WORDS] or words
    return "-".join(words[:MAX_SLUG_WORDS]) or "section"


def _acronym_marker(match: re.Match[str]) -> str:
    return f"\x00{match.group(1)}\x00"


def _collapse_acronyms(text: str) -> str:
    """Replace "amyotrophic lateral sclerosis \\x00ALS\\x00" by "ALS" when the initials agree."""

    def replace(match: re.Match[str]) -> str:
        words, acronym = match.group("words").split(), match.group("acronym")
        spelled = words[-len(acronym) :] if len(words) >= len(acronym) else []
        if spelled and "".join(w[0] for w in spelled).casefold() == acronym.casefold():
            kept = words[: len(words) - len(acronym)]
            return " ".join([*kept, acronym])
        return " ".join(words)

    return re.sub(r"(?P<words>[^\x00]*?)\s*\x00(?P<acronym>[^\x00]+)\x00", replace, text)


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not yet taken; records the choice."""
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate
