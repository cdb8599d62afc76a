"""Patient-information documents: model, YAML loader, importer and spoken form."""

from kiosk.content.errors import ContentError
from kiosk.content.loader import Library, dump_document, load_document, load_library, parse_document
from kiosk.content.model import Block, BlockKind, Document, Entry, Section, Source, Text

__all__ = [
    "Block",
    "BlockKind",
    "ContentError",
    "Document",
    "Entry",
    "Library",
    "Section",
    "Source",
    "Text",
    "dump_document",
    "load_document",
    "load_library",
    "parse_document",
]
