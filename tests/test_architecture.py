"""The shape of the code: the cores (content, state, commands, speech, voice, access, keys)
stay free of Kivy so tests drive them without a window, and no module of the kiosk imports
one that imports it back."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

from voice_tools import PYTHON, ROOT

PACKAGE = ROOT / "kiosk"


def module_names() -> dict[str, Path]:
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The kiosk modules ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in known}


def test_the_cores_import_no_kivy():
    cores = [name for name in module_names()
             if not name.startswith("kiosk.ui") and name != "kiosk.__main__"]
    script = ("import importlib, json, sys\n"
              f"for name in {cores!r}: importlib.import_module(name)\n"
              "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'kivy')))")
    result = subprocess.run([PYTHON, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []
    assert "kiosk.state" in cores and "kiosk.access" in cores and "kiosk.keys" in cores


def test_no_module_imports_one_that_imports_it_back():
    names = module_names()
    graph = {name: {other for other in imports_of(path, set(names))
                    if other != name and not name.startswith(other + ".")}
             for name, path in names.items()}
    cycles = []

    def reaches(start: str, goal: str) -> list[str] | None:
        stack, seen = [(start, [start])], {start}
        while stack:
            node, trail = stack.pop()
            for other in graph[node]:
                if other == goal:
                    return [*trail, goal]
                if other not in seen:
                    seen.add(other)
                    stack.append((other, [*trail, other]))
        return None

    for name in graph:
        trail = reaches(name, name)
        if trail is not None:
            cycles.append(" -> ".join(trail))
    assert cycles == []
