"""Load and save documents as YAML.

Files are read with ``yaml.safe_load`` only, so nothing in a content file can run code; the
loader never follows paths named inside a file. A broken file becomes one ``ContentError``
naming the file, the line and key path, and what to fix; the other documents still load.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kiosk.content.errors import ContentError, shown
from kiosk.content.model import Block, BlockKind, Document, Section, Source, Text

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Larger files are refused before parsing, so a stray file cannot exhaust memory."""

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
MAX_NESTING = 50
"""Lists and mappings nested deeper than this are refused (a real document needs ~20)."""
MAX_NUMBER = 10**100
"""A number larger than this is refused: it cannot even be shown in an error message."""
DOCUMENT_KEYS = {"id", "title", "spoken_title", "source", "sections"}
SECTION_KEYS = {"id", "title", "aliases", "blocks", "sections"}
SOURCE_KEYS = {"publisher", "date", "licence", "attribution"}
TEXT_KEYS = {"lead", "text"}


@dataclass
class Library:
    """Every document that loaded from a folder, plus an error for each file that did not."""

    documents: list[Document] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    """The file each document came from, by document id."""

    def get(self, document_id: str) -> Document | None:
        """The document with this id, or None."""
        return next((d for d in self.documents if d.id == document_id), None)


class _Refused(yaml.MarkedYAMLError):
    """YAML that parses but that a content file may not use; ``problem`` is the plain message."""


class _ContentLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses what could harm the kiosk instead of crashing or hanging:
    aliases (a ``*name`` can repeat one part of a small file millions of times), nesting deep
    enough to exhaust Python's stack, and values PyYAML cannot build (a date such as
    2023-02-30, ``!!int abc``), which it would raise as a bare ValueError."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(problem=(
                f"aliases ('*{shown(event.anchor)}') are not allowed in content files; write "
                "the text out in full where it is needed"), problem_mark=event.start_mark)
        if self._depth >= MAX_NESTING:
            raise _Refused(problem=(
                f"lists and mappings are nested more than {MAX_NESTING} levels deep; "
                "check the indentation and brackets"), problem_mark=self.peek_event().start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, LookupError, AttributeError, ArithmeticError):
            kind = _VALUE_KINDS.get(node.tag, "value of its type")
            raise _Refused(problem=(
                f"'{shown(node.value)}' is not a valid {kind}; put it in quotes (and remove "
                "any '!!' tag) to keep it as text"), problem_mark=node.start_mark) from None

    def construct_yaml_int(self, node: Any) -> int:
        value = super().construct_yaml_int(node)
        if abs(value) > MAX_NUMBER:
            raise ValueError("the number is too long")
        return value


_VALUE_KINDS = {
    "tag:yaml.org,2002:int": "number",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "yes/no value",
    "tag:yaml.org,2002:timestamp": "date",
}
_ContentLoader.add_constructor("tag:yaml.org,2002:int", _ContentLoader.construct_yaml_int)


class _Problem(Exception):
    """Raised inside validation with the key path; turned into a ContentError with a line."""

    def __init__(self, key_path: str, problem: str) -> None:
        super().__init__(problem)
        self.key_path = key_path
        self.problem = problem


def load_library(folder: Path) -> Library:
    """Load every ``*.yaml`` document in ``folder`` (not recursive); never raises for content."""
    library = Library()
    if not folder.is_dir():
        library.errors.append(
            ContentError(
                f"the content folder {folder} does not exist; create it and put documents in it",
                path=None,
            )
        )
        return library
    try:
        files = sorted(
            p
            for p in folder.iterdir()
            if p.suffix in {".yaml", ".yml"}
            and p.is_file()
            and not p.name.startswith(("_", "."))  # e.g. the pronunciation lexicon
        )
    except OSError as error:
        library.errors.append(ContentError(
            f"cannot read the content folder {folder} ({error.strerror}); check its permissions"
        ))
        return library
    seen = library.files
    for path in files:
        try:
            document = load_document(path)
        except ContentError as error:
            library.errors.append(error)
            continue
        if document.id in seen:
            library.errors.append(
                ContentError(
                    f"document id '{document.id}' is already used by {seen[document.id].name}; "
                    "give each document its own id",
                    path=path,
                    key_path="id",
                )
            )
            continue
        seen[document.id] = path
        library.documents.append(document)
    if not files:
        library.errors.append(
            ContentError(f"no documents (*.yaml) found in the content folder {folder}")
        )
    return library


def read_text_file(path: Path, max_bytes: int, too_big: Callable[[int], str],
                   missing: str | None = None) -> str:
    """The UTF-8 text of a content file, or a ContentError saying what to fix.

    ``too_big(size)`` words the problem of a file over ``max_bytes``; ``missing``, if given,
    replaces the plain "cannot read" message for a file that does not exist.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        if missing is not None:
            raise ContentError(missing, path=path) from None
        raise ContentError(f"cannot read the file ({error.strerror})", path=path) from error
    except OSError as error:
        raise ContentError(f"cannot read the file ({error.strerror})", path=path) from error
    if size > max_bytes:
        raise ContentError(too_big(size), path=path)
    try:
        raw = path.read_bytes()
    except OSError as error:  # e.g. no permission to read, or a folder named like a file
        raise ContentError(f"cannot read the file ({error.strerror})", path=path) from error
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ContentError(
            "the file is not UTF-8 text; save it with UTF-8 encoding", path=path, line=line
        ) from error


def load_document(path: Path) -> Document:
    """Read one YAML document file; raises ContentError saying what to fix."""
    path = Path(path)
    text = read_text_file(path, MAX_FILE_BYTES, lambda size: (
        f"the file is {size // (1024 * 1024)} MB; documents must be under "
        f"{MAX_FILE_BYTES // (1024 * 1024)} MB, so split it"))
    return parse_document(text, path)


def parse_document(text: str, path: Path | str = "<text>") -> Document:
    """Parse YAML text into a Document; raises ContentError with file, line and key path."""
    try:
        data = yaml.load(text, Loader=_ContentLoader)
    except _Refused as error:
        mark = error.problem_mark
        raise ContentError(
            error.problem or "", path=path, line=mark.line + 1 if mark else None
        ) from None
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark or error.context_mark
        problem = (error.problem or "unsupported YAML tag").strip()
        advice = "remove the '!!' tag" if "tag" in problem else "write this part as plain text"
        raise ContentError(
            f"{problem}; content files may hold only plain text, lists and mappings, so {advice}",
            path=path,
            line=mark.line + 1 if mark else None,
        ) from error
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise ContentError(
            f"the file holds a special character (#x{error.character:04x}) that is not allowed "
            "in a content file; delete it",
            path=path,
            line=line,
        ) from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = (error.problem or "invalid YAML").strip()
        if error.context and error.context_mark and error.context_mark is not mark:
            problem += f", {error.context} started on line {error.context_mark.line + 1}"
            if mark is not None and not text[mark.index :].strip():
                mark = error.context_mark  # "end of stream": the cause is where it started
        raise ContentError(
            f"YAML syntax error: {problem}; check indentation and quoting",
            path=path,
            line=mark.line + 1 if mark else None,
        ) from error
    except yaml.YAMLError as error:
        raise ContentError(f"YAML error: {error}", path=path) from error
    try:
        return document_from_data(data)
    except _Problem as problem:
        raise ContentError(
            problem.problem,
            path=path,
            line=_line_of(text, problem.key_path),
            key_path=problem.key_path,
        ) from None


def document_from_data(data: Any) -> Document:
    """Validate plain data (as from ``yaml.safe_load``) and build the Document."""
    if not isinstance(data, dict):
        raise _Problem("", "the file must be a mapping with id, title, source and sections")
    _reject_unknown(data, DOCUMENT_KEYS, "")
    doc_id = _require_id(data, "id", "")
    title = _require_str(data, "title", "")
    spoken_title = _optional_str(data, "spoken_title", "") or title
    source = _source(data.get("source"), "source")
    sections_data = data.get("sections")
    if not isinstance(sections_data, list) or not sections_data:
        raise _Problem("sections", "a document needs a 'sections' list with at least one section")
    sections = tuple(_section(s, f"sections[{i}]") for i, s in enumerate(sections_data))
    document = Document(doc_id, title, spoken_title, source, sections)
    counts = Counter(e.section.id for e in document.entries)
    duplicates = sorted(i for i, n in counts.items() if n > 1)
    if duplicates:
        raise _Problem("sections", f"section ids must be unique; repeated: {', '.join(duplicates)}")
    return document


def _source(data: Any, key_path: str) -> Source:
    if data is None:
        raise _Problem(key_path, "'source' is missing; give at least its publisher")
    if not isinstance(data, dict):
        raise _Problem(key_path, "'source' must be a mapping (publisher, date, licence, ...)")
    _reject_unknown(data, SOURCE_KEYS, key_path)
    return Source(
        publisher=_require_str(data, "publisher", key_path),
        date=_optional_str(data, "date", key_path),
        licence=_optional_str(data, "licence", key_path),
        attribution=_optional_str(data, "attribution", key_path),
    )


def _section(data: Any, key_path: str) -> Section:
    if not isinstance(data, dict):
        raise _Problem(key_path, "each section must be a mapping with id, title and blocks")
    _reject_unknown(data, SECTION_KEYS, key_path)
    section_id = _require_id(data, "id", key_path)
    title = _require_str(data, "title", key_path)
    aliases = data.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise _Problem(f"{key_path}.aliases", "'aliases' must be a list of non-empty strings")
    blocks_data = data.get("blocks") or []
    if not isinstance(blocks_data, list):
        raise _Problem(f"{key_path}.blocks", "'blocks' must be a list")
    subsections_data = data.get("sections") or []
    if not isinstance(subsections_data, list):
        raise _Problem(f"{key_path}.sections", "'sections' must be a list")
    if not blocks_data and not subsections_data:
        raise _Problem(key_path, f"section '{section_id}' has no blocks and no subsections; "
                       "give it a 'blocks' list")
    blocks = tuple(_block(b, f"{key_path}.blocks[{i}]") for i, b in enumerate(blocks_data))
    subsections = tuple(
        _section(s, f"{key_path}.sections[{i}]") for i, s in enumerate(subsections_data)
    )
    return Section(
        section_id, title, blocks, subsections, tuple(a.strip() for a in aliases)
    )


def _block(data: Any, key_path: str) -> Block:
    kinds = ", ".join(k.value for k in BlockKind)
    if not isinstance(data, dict) or len(data) != 1:
        raise _Problem(key_path, f"a block must be one key ({kinds}) with its text")
    ((key, value),) = data.items()
    try:
        kind = BlockKind(key)
    except ValueError:
        raise _Problem(
            key_path, f"unknown block type '{shown(key)}'; use one of: {kinds}"
        ) from None
    inner = f"{key_path}.{key}"
    if kind is BlockKind.LIST:
        if not isinstance(value, list) or not value:
            raise _Problem(inner, "a list block needs a non-empty list of items")
        items = tuple(_text(v, f"{inner}[{i}]") for i, v in enumerate(value))
        return Block(kind, items=items)
    return Block(kind, text=_text(value, inner))


def _text(data: Any, key_path: str) -> Text:
    if isinstance(data, str) and data.strip():
        return Text(data.strip())
    if isinstance(data, dict):
        _reject_unknown(data, TEXT_KEYS, key_path)
        body = _require_str(data, "text", key_path)
        return Text(body, _optional_str(data, "lead", key_path))
    raise _Problem(key_path, "expected text (a string, or a mapping with lead and text)")


def _reject_unknown(data: dict, allowed: set[str], key_path: str) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        where = f"{key_path}." if key_path else ""
        raise _Problem(
            f"{where}{unknown[0]}",
            f"unknown key '{shown(unknown[0])}'; allowed here: {', '.join(sorted(allowed))}",
        )


def _require_str(data: dict, key: str, key_path: str) -> str:
    where = f"{key_path}.{key}" if key_path else key
    value = data.get(key)
    if value is None:
        raise _Problem(key_path or key, f"'{key}' is missing")
    if not isinstance(value, str) or not value.strip():
        raise _Problem(where, f"'{key}' must be non-empty text")
    return value.strip()


def _optional_str(data: dict, key: str, key_path: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()  # an unquoted date such as 2023-05-01
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _Problem(f"{key_path}.{key}" if key_path else key, f"'{key}' must be text")
    return str(value).strip()


def _require_id(data: dict, key: str, key_path: str) -> str:
    value = _require_str(data, key, key_path)
    if not ID_PATTERN.match(value):
        raise _Problem(
            f"{key_path}.{key}" if key_path else key,
            f"id '{shown(value)}' must use only lowercase letters, digits and hyphens",
        )
    return value


def _line_of(text: str, key_path: str) -> int | None:
    """1-based line of the node at ``key_path`` (e.g. ``sections[2].blocks[0]``), if found."""
    try:
        node = yaml.compose(text, Loader=_ContentLoader)
    except yaml.YAMLError:
        return None
    best = node
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", key_path):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(node, yaml.SequenceNode) or index >= len(node.value):
                break
            node = node.value[index]
        else:
            if not isinstance(node, yaml.MappingNode):
                break
            match = next((v for k, v in node.value if k.value == part), None)
            if match is None:
                key_node = next((k for k, _ in node.value if k.value == part), None)
                best = key_node or node
                break
            node = match
        best = node
    return best.start_mark.line + 1 if best is not None else None


# --- writing -------------------------------------------------------------------------------


def document_to_data(document: Document) -> dict[str, Any]:
    """The plain-data form of a document, as written to YAML (inverse of document_from_data)."""
    source = {
        k: v
        for k, v in (
            ("publisher", document.source.publisher),
            ("date", document.source.date),
            ("licence", document.source.licence),
            ("attribution", document.source.attribution),
        )
        if v
    }
    return {
        "id": document.id,
        "title": document.title,
        "spoken_title": document.spoken_title,
        "source": source,
        "sections": [_section_to_data(s) for s in document.sections],
    }


def _section_to_data(section: Section) -> dict[str, Any]:
    data: dict[str, Any] = {"id": section.id, "title": section.title}
    if section.aliases:
        data["aliases"] = list(section.aliases)
    if section.blocks:
        data["blocks"] = [_block_to_data(b) for b in section.blocks]
    if section.sections:
        data["sections"] = [_section_to_data(s) for s in section.sections]
    return data


def _block_to_data(block: Block) -> dict[str, Any]:
    if block.kind is BlockKind.LIST:
        return {block.kind.value: [_text_to_data(t) for t in block.items]}
    assert block.text is not None
    return {block.kind.value: _text_to_data(block.text)}


def _text_to_data(text: Text) -> str | dict[str, str]:
    return {"lead": text.lead, "text": text.text} if text.lead else text.text


class _Dumper(yaml.SafeDumper):
    """Block style, wide lines, and no anchors: readable by a clinic author."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def represent_str(self, data: str) -> yaml.ScalarNode:
        # PyYAML writes a NEL (U+0085, e.g. a Windows ellipsis read as Latin-1) raw inside
        # single quotes, where it reads back as a line break folded to a space; double
        # quotes escape it as \N.
        style = '"' if "\x85" in data else None
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _Dumper.represent_str)


def dump_document(document: Document) -> str:
    """YAML text for a document, in the format the loader reads."""
    return yaml.dump(
        document_to_data(document),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )

