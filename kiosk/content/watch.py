"""Content edited while the kiosk runs: notice the change, load it, keep what still works.

:func:`snapshot` is a cheap fingerprint of the content folder (names, sizes and modification
times of its documents), compared every few seconds. When it changes the folder is loaded
again, and :func:`keep_last_good` puts back the previous version of any document whose file
is now broken or half-written, so a mistake made while editing never takes a document away
from a visitor; the mistake is still reported until it is fixed.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.content.errors import ContentError
from kiosk.content.loader import Library

Snapshot = frozenset[tuple[str, int, int]] | None


def snapshot(folder: Path) -> Snapshot:
    """Names, sizes and modification times of the folder's YAML files; None if it is gone."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return None
    found = set()
    for path in entries:
        if path.suffix not in {".yaml", ".yml"}:
            continue
        try:
            stat = path.stat()
        except OSError:  # removed while looking
            continue
        found.add((path.name, stat.st_size, stat.st_mtime_ns))
    return frozenset(found)


class KeptLastGood(ContentError):
    """A document file that is broken now; its last good version is still shown."""

    def __init__(self, error: ContentError) -> None:
        super().__init__(f"{error.problem} (the last good version is shown until this is "
                         "fixed)", path=error.path, line=error.line, key_path=error.key_path)


def keep_last_good(old: Library, new: Library, folder: Path) -> Library:
    """``new`` (loaded from ``folder``), with the ``old`` version of every document whose
    file loaded before but is broken now (its error is kept, marked as :class:`KeptLastGood`).
    A file that was deleted takes its document away; a file broken before stays broken; if
    the whole folder has gone, every document stays."""
    if old.documents and not folder.is_dir():
        # the whole folder is gone (a drive unplugged, a folder renamed): keep everything
        gone = [KeptLastGood(e) for e in new.errors if e.path is None]
        return Library(list(old.documents), gone, dict(old.files))
    by_file = {path: old.get(doc_id) for doc_id, path in old.files.items()}
    errors: list[ContentError] = []
    for error in new.errors:
        document = by_file.get(error.path) if error.path is not None else None
        if document is None or new.get(document.id) is not None or not error.path.exists():
            errors.append(error)
            continue
        new.documents.append(document)
        new.files[document.id] = error.path
        errors.append(KeptLastGood(error))
    order = {path: n for n, path in enumerate(sorted({*new.files.values()}))}
    new.documents.sort(key=lambda d: order.get(new.files.get(d.id), len(order)))
    new.errors = errors
    return new
