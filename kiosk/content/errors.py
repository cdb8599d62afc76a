"""Typed content errors that carry what a clinic author needs to fix the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class ContentError(Exception):
    """A content file that cannot be used, with the file, the place in it and what is wrong."""

    def __init__(
        self,
        problem: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        key_path: str = "",
    ) -> None:
        self.problem = problem
        self.path = Path(path) if path is not None else None
        self.line = line
        self.key_path = key_path
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line: ``file, line N, at key.path: what is wrong``."""
        where = []
        if self.path is not None:
            where.append(shown(self.path.name, 80))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.key_path:
            where.append(f"at {shown(self.key_path, 80)}")
        return f"{', '.join(where)}: {self.problem}" if where else self.problem


def shown(value: Any, limit: int = 40) -> str:
    """``value`` as one short line for an error message: a key or id from the file may hold
    line breaks or be megabytes long."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
