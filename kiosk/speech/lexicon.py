"""The pronunciation lexicon: how the speech engine should say words it gets wrong.

A clinic edits ``content/_pronunciation.yaml`` (format explained at the top of that file). An
entry matches whole words only; a key written with capitals matches that case only
("ALS" but not "als"), an all-lowercase key matches any case (drug names). Loading never
raises for bad content: a broken entry becomes a problem message and the rest still load.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

import yaml

from kiosk.content.errors import ContentError
from kiosk.content.loader import read_text_file
from kiosk.paths import CONTENT_DIR

DEFAULT_LEXICON_PATH: Path = CONTENT_DIR / "_pronunciation.yaml"
MAX_FILE_BYTES = 1024 * 1024
"""A pronunciation file larger than this is refused (it is a list of words, not a book)."""

DEFAULT_SYMBOLS: Mapping[str, str] = MappingProxyType(
    {
        "&": "and",
        "%": "percent",
        "+": "plus",
        "=": "equals",
        "@": "at",
        "#": "number",
        "~": "about",
        "°": "degrees",
        "×": "times",
        "≥": "at least",
        "≤": "at most",
        "©": "copyright",
    }
)
"""How symbols are said when the lexicon file does not say otherwise."""


class EntryKind(StrEnum):
    """The sections of the lexicon file; each section's entries behave a little differently."""

    WORD = "words"
    ABBREVIATION = "abbreviations"
    BEFORE_NUMBER = "before_numbers"
    SYMBOL = "symbols"


@dataclass(frozen=True)
class Entry:
    """One lexicon entry found in the text."""

    key: str
    """The entry as written in the lexicon, e.g. ``ALS`` or ``e.g.``."""
    say: str
    """How to say it."""
    kind: EntryKind
    """Which section it came from."""


_ACRONYM = re.compile(r"[A-Z0-9-]*[A-Z]")
"""A key like "BCI": its plural "BCIs" matches too and is said as "B C I's"."""


_TABLES = ("words", "abbreviations", "before_numbers", "symbols")


def _frozen(mapping: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Lexicon:
    """Respellings for words, abbreviations and symbols, applied before text is spoken."""

    words: Mapping[str, str] = field(default_factory=dict)
    """Whole word (or phrase) -> how to say it: ``"ALS": "eh-L-S"``, ``"qalsody": "kal soady"``."""
    abbreviations: Mapping[str, str] = field(default_factory=dict)
    """Abbreviation with its full stops -> words: ``"Dr.": "Doctor"``, ``"e.g.": "for example"``."""
    before_numbers: Mapping[str, str] = field(default_factory=dict)
    """Said this way only when a number follows: ``"No.": "number"`` ("No. 3")."""
    symbols: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SYMBOLS))
    """A symbol -> the word for it: ``"&": "and"``, ``"%": "percent"``."""

    def __post_init__(self) -> None:
        for name in _TABLES:
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def __hash__(self) -> int:
        return hash(tuple(tuple(sorted(getattr(self, name).items())) for name in _TABLES))

    @classmethod
    def empty(cls) -> Lexicon:
        """A lexicon with no words or abbreviations (symbols keep their usual names)."""
        return cls()

    def lookup(self, found: str) -> Entry | None:
        """The entry for text matched by ``entry_pattern``, or None.

        An acronym's plural ("BCIs") is looked up as the acronym and said with "'s".
        """
        found = " ".join(found.split())  # "I AM\u00a0ALS" is the entry "I AM ALS"
        entry = self._exact.get(found) or self._folded.get(found.lower())
        if entry is None and found.endswith("s") and _ACRONYM.fullmatch(found[:-1]):
            base = self._exact.get(found[:-1])
            if base is not None and base.kind is EntryKind.WORD:
                entry = Entry(found, f"{base.say}'s", base.kind)
        return entry

    def symbol(self, found: str) -> str | None:
        """How to say the symbol ``found``, or None."""
        return self.symbols.get(found)

    @cached_property
    def entry_pattern(self) -> str:
        """Regex source matching any word, abbreviation or number prefix as a whole word.

        Longest keys come first, so "FTD-ALS" wins over "ALS". Empty when there are none.
        """
        keys = sorted(self._exact, key=lambda k: (-len(k), k))
        return "|".join(_key_pattern(k, self._exact[k].kind) for k in keys)

    @cached_property
    def symbol_pattern(self) -> str:
        """Regex source matching any symbol, longest first; empty when there are none."""
        keys = sorted(self.symbols, key=lambda k: (-len(k), k))
        return "|".join(re.escape(k) for k in keys)

    @cached_property
    def _exact(self) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        for kind, table in (
            (EntryKind.BEFORE_NUMBER, self.before_numbers),
            (EntryKind.ABBREVIATION, self.abbreviations),
            (EntryKind.WORD, self.words),
        ):
            entries.update({k: Entry(k, v, kind) for k, v in table.items()})
        return entries

    @cached_property
    def _folded(self) -> dict[str, Entry]:
        return {k: e for k, e in self._exact.items() if not _has_capitals(k)}


def _has_capitals(key: str) -> bool:
    return any(c.isupper() for c in key)


def _key_pattern(key: str, kind: EntryKind) -> str:
    body = r"[\s\u00a0]+".join(re.escape(part) for part in key.split())
    if not _has_capitals(key):
        body = f"(?i:{body})"
    if _ACRONYM.fullmatch(key) and kind is EntryKind.WORD:
        body += "s?"
    start = r"(?<!\w)" if key[0].isalnum() or key[0] == "_" else ""
    end = r"(?!\w)" if key[-1].isalnum() or key[-1] == "_" else ""
    after = r"(?=[\s\u00a0]?\d)" if kind is EntryKind.BEFORE_NUMBER else ""
    return f"{start}{body}{end}{after}"


# --- loading ---------------------------------------------------------------------------------

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
_SHOUTED = re.compile(r"\b[A-Z]{2,}\b")
_LONE_A = re.compile(r"(?<![\w'])A(?![\w'])")
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "yes/no (true/false)",
    "tag:yaml.org,2002:null": "empty",
}


def load_lexicon(path: Path | None = None) -> tuple[Lexicon, list[str]]:
    """Load the pronunciation file; never raises for bad content.

    Returns the usable entries and a list of problems in plain words, each naming the file,
    the line and what to fix (a missing file gives an empty lexicon and one problem). A bad
    entry is skipped; the others are kept.
    """
    path = Path(path) if path is not None else DEFAULT_LEXICON_PATH
    try:
        text = _read(path)
        return parse_lexicon(text, path)
    except ContentError as error:
        return Lexicon.empty(), [error.message]


def parse_lexicon(text: str, path: Path | str = "<text>") -> tuple[Lexicon, list[str]]:
    """Parse lexicon YAML text; like ``load_lexicon`` but from a string."""
    problems = _Problems(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problems.add(
            f"YAML syntax error: {(error.problem or 'invalid YAML').strip()}; check the "
            "indentation and quoting (keys such as '&' or '%' need quotes); no "
            "pronunciations were loaded",
            line=mark.line + 1 if mark else None,
        )
        return Lexicon.empty(), problems.messages()
    except yaml.YAMLError as error:
        problems.add(f"YAML error: {error}")
        return Lexicon.empty(), problems.messages()
    tables = {
        kind: _entries(node, kind, problems) for kind, node in _sections(root, problems).items()
    }
    lexicon = Lexicon(
        words=tables.get(EntryKind.WORD, {}),
        abbreviations=tables.get(EntryKind.ABBREVIATION, {}),
        before_numbers=tables.get(EntryKind.BEFORE_NUMBER, {}),
        symbols={**DEFAULT_SYMBOLS, **tables.get(EntryKind.SYMBOL, {})},
    )
    return lexicon, problems.messages()


class _Problems:
    """Problems found in one file, reported in line order as plain-words messages."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self.errors: list[ContentError] = []

    def add(self, problem: str, line: int | None = None, key_path: str = "") -> None:
        self.errors.append(ContentError(problem, path=self.path, line=line, key_path=key_path))

    def messages(self) -> list[str]:
        return [e.message for e in sorted(self.errors, key=lambda e: e.line or 0)]


def _read(path: Path) -> str:
    return read_text_file(
        path, MAX_FILE_BYTES,
        lambda size: (f"the file is {size // 1024} KB; a pronunciation file must be under "
                      f"{MAX_FILE_BYTES // 1024} KB, so remove entries"),
        missing=("the pronunciation file is missing, so words are said as the speech engine "
                 f"guesses; create {path.name} in the content folder"),
    )


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _sections(root: yaml.Node | None, problems: _Problems) -> dict[EntryKind, yaml.MappingNode]:
    """The known top-level sections; unknown or malformed ones become problems."""
    allowed = ", ".join(k.value for k in EntryKind)
    if root is None:
        problems.add(f"the file is empty; add one or more sections: {allowed}")
        return {}
    if not isinstance(root, yaml.MappingNode):
        problems.add(f"the file must be a mapping with the sections {allowed}", _line(root))
        return {}
    sections: dict[EntryKind, yaml.MappingNode] = {}
    for key, value in root.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else "?"
        if name not in allowed.split(", "):
            problems.add(f"unknown section '{name}'; use one of: {allowed}", _line(key), name)
        elif isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
            continue  # an empty section, e.g. "symbols:" with nothing under it
        elif not isinstance(value, yaml.MappingNode):
            problems.add(
                f"'{name}' must be a list of 'key: how to say it' lines, one per entry",
                _line(value),
                name,
            )
        elif EntryKind(name) in sections:
            problems.add(
                f"the section '{name}' appears twice; merge the two into one", _line(key), name
            )
        else:
            sections[EntryKind(name)] = value
    return sections


def _entries(node: yaml.MappingNode, kind: EntryKind, problems: _Problems) -> dict[str, str]:
    """The valid entries of one section; each bad one is reported and skipped."""
    entries: dict[str, str] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        try:
            key, say = _entry(key_node, value_node, kind)
        except _BadEntry as bad:
            problems.add(bad.problem, bad.line, f"{kind.value}.{bad.key}")
            continue
        where = f"{kind.value}.{key}"
        if key in entries:
            problems.add(
                f"'{key}' is already given on line {lines[key]}; the later one is used, "
                "so delete the one you do not want",
                _line(key_node),
                where,
            )
        entries[key], lines[key] = say, _line(key_node)
        for advice in _advice(say, kind):
            problems.add(advice, _line(value_node), where)
    return entries


class _BadEntry(Exception):
    def __init__(self, key: str, line: int, problem: str) -> None:
        super().__init__(problem)
        self.key, self.line, self.problem = key, line, problem


def _entry(key_node: yaml.Node, value_node: yaml.Node, kind: EntryKind) -> tuple[str, str]:
    key = _scalar_text(key_node)
    if key is None:
        raise _BadEntry("?", _line(key_node), "each key must be plain text, not a list or map")
    if key_node.tag != "tag:yaml.org,2002:str":
        raise _BadEntry(
            key,
            _line(key_node),
            f"YAML reads the key {key} as {_PLAIN_TAGS.get(key_node.tag, 'a special value')}, "
            f"not text; put it in quotes: '{key}'",
        )
    key = " ".join(key.translate(_QUOTES).split())
    if not key:
        raise _BadEntry(key, _line(key_node), "a key is empty; write the word it is for")
    if kind is EntryKind.SYMBOL and (len(key) > 3 or any(c.isalnum() for c in key)):
        raise _BadEntry(
            key, _line(key_node), f"'{key}' is not a symbol; move it to the 'words' section"
        )
    if kind is EntryKind.BEFORE_NUMBER and not key[-1:].isalpha() and key[-1:] != ".":
        raise _BadEntry(key, _line(key_node), f"'{key}' must end with a letter or a full stop")
    say = _scalar_text(value_node)
    if say is None or value_node.tag != "tag:yaml.org,2002:str" or not say.strip():
        raise _BadEntry(
            key,
            _line(value_node),
            f"'{key}' needs text saying how to pronounce it, e.g. {key}: how it sounds"
            + ("; put numbers and yes/no words in quotes" if say else ""),
        )
    return key, " ".join(say.split())


def _scalar_text(node: yaml.Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _advice(say: str, kind: EntryKind) -> list[str]:
    """Problems that leave the entry usable but probably not as meant (kept, and reported)."""
    if kind is EntryKind.SYMBOL:
        return []
    advice = []
    shouted = [w for w in _SHOUTED.findall(say) if w not in ("I",)]
    if shouted:
        advice.append(
            f"'{say}' has {', '.join(shouted)} in capitals, which the speech engine spells "
            "out letter by letter; write it in lowercase unless you mean the letters"
        )
    if _LONE_A.search(say):
        advice.append(
            f"in '{say}' the engine reads a lone capital A as the word 'a'; "
            "write 'eh' for the letter A (as in 'eh-L-S')"
        )
    return advice
