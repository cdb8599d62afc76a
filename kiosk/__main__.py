"""Command line: ``kiosk run | import | speak | hear | models | check | doctor``
(``python -m kiosk`` does the same)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from kiosk import __version__

STARTED = time.perf_counter()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kiosk`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.verb is None:
        args = parser.parse_args(["run", *(argv or sys.argv[1:])])
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Offline ALS reading kiosk: large type, read aloud, voice."
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    run = verbs.add_parser("run", help="start the kiosk (the default verb)")
    run.add_argument("--config", type=Path, help="configuration file (default config/kiosk.yaml)")
    run.add_argument("--content", type=Path, help="folder of YAML documents to show")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--fullscreen", action="store_true", default=None, help="cover the screen")
    mode.add_argument("--windowed", action="store_true", help="run in a window")
    run.add_argument("--mic-file", type=Path, nargs="+", metavar="WAV",
                     help="listen to these WAV files instead of the microphone (demos, tests)")
    run.add_argument("--mic-speed", type=float, default=1.0, metavar="X",
                     help="play --mic-file X times faster than real time (default 1)")
    run.add_argument("--quit-after-draw", action="store_true", help=argparse.SUPPRESS)
    run.set_defaults(func=_run)

    imp = verbs.add_parser("import", help="turn a .txt or .md document into draft YAML")
    imp.add_argument("file", type=Path, help="the plain-text or Markdown document")
    imp.add_argument("--id", required=True, help="document id, e.g. ninds-als")
    imp.add_argument("--out", type=Path, help="write the YAML here instead of to the screen")
    imp.set_defaults(func=_import)

    speak = verbs.add_parser("speak", help="render a document or section to a WAV file")
    speak.add_argument("document", help="document id, e.g. ninds-als")
    speak.add_argument("section", nargs="?", help="section id or number (default: all)")
    speak.add_argument("--out", type=Path, required=True, help="the WAV file to write")
    speak.add_argument("--rate", type=int, help="words per minute, 80 to 250")
    speak.add_argument("--voice", help="espeak-ng voice id, e.g. gmw/en-us")
    speak.add_argument("--config", type=Path, help="configuration file")
    speak.add_argument("--content", type=Path, help="folder of YAML documents")
    speak.set_defaults(func=_speak)

    hear = verbs.add_parser("hear", help="recognise voice commands in WAV files (JSON lines)")
    hear.add_argument("files", type=Path, nargs="+", metavar="FILE.wav")
    hear.add_argument("--document", help="as on the Reader screen of this document id")
    hear.add_argument("--screen", choices=["home", "contents", "reader", "help", "settings"],
                      help="the screen whose commands apply (default home, or reader with "
                           "--document)")
    hear.add_argument("--reading", action="store_true",
                      help="as while the kiosk reads aloud (only stop and pause)")
    hear.add_argument("--engine", choices=["auto", "vosk", "pocketsphinx"], default="auto")
    hear.add_argument("--plain", action="store_true",
                      help="plain grammar decoding, no rejection (for comparison)")
    hear.add_argument("--content", type=Path, help="folder of YAML documents")
    hear.add_argument("--config", type=Path, help="configuration file")
    hear.set_defaults(func=_hear)

    from kiosk.voice.models import add_models_parser

    add_models_parser(verbs)

    from kiosk.service import add_service_parser

    add_service_parser(verbs)

    check = verbs.add_parser("check", help="validate content and configuration")
    check.add_argument("--config", type=Path, help="configuration file")
    check.add_argument("--content", type=Path, help="folder of YAML documents")
    check.set_defaults(func=_check)

    doctor = verbs.add_parser(
        "doctor", help="check display, sound, microphone, voices, recogniser, content, "
                       "configuration and logs; say how to fix what does not work")
    doctor.add_argument("--config", type=Path, help="configuration file")
    doctor.add_argument("--content", type=Path, help="folder of YAML documents")
    doctor.add_argument("--seconds", type=float, default=3.0, metavar="N",
                        help="seconds to measure the microphone level (default 3)")
    doctor.add_argument("--mic-file", type=Path, metavar="WAV",
                        help="measure the level of this WAV file, played as the microphone")
    doctor.set_defaults(func=_doctor)
    return parser


def _settings(args: argparse.Namespace):
    from dataclasses import replace

    from kiosk.config import load_settings

    settings = load_settings(args.config)
    if getattr(args, "content", None):
        settings = replace(settings, content_dir=args.content.resolve())
    if getattr(args, "fullscreen", None):
        settings = replace(settings, fullscreen=True)
    if getattr(args, "windowed", False):
        settings = replace(settings, fullscreen=False)
    return settings


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from kiosk.logs import setup_logging

    setup_logging(settings)
    for problem in settings.problems:
        print(f"kiosk: configuration: {problem}", file=sys.stderr)
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        print("kiosk: no DISPLAY or WAYLAND_DISPLAY is set, so the window may not be visible. "
              "Start it from the kiosk's desktop session, or on a virtual screen with "
              "`xvfb-run -a kiosk run`.", file=sys.stderr)
    from kiosk.ui import prepare_kivy

    # kiosk mode covers the screen, unless --windowed asks for a window (trying a set-up)
    fullscreen = settings.fullscreen or (settings.kiosk_mode and not args.windowed)
    prepare_kivy(settings.window_width, settings.window_height, fullscreen)
    try:
        from kiosk.ui.app import KioskApp
    except Exception as error:  # noqa: BLE001 - no display, missing GL: say so plainly
        print(f"kiosk: cannot open the display ({error}). Is a screen attached, or DISPLAY "
              "set? For a virtual screen run: xvfb-run -a kiosk run", file=sys.stderr)
        return 2
    mic = None
    if args.mic_file:
        from kiosk.voice.sources import FileMic

        mic = FileMic(args.mic_file, speed=args.mic_speed)
    app = KioskApp(settings, mic_source=mic)
    if args.quit_after_draw:
        _quit_after_first_frame(app)
    app.run()
    if app.kiosk is not None and app.kiosk.exiting:
        from kiosk.service import STAFF_EXIT

        return STAFF_EXIT  # the service manager does not start it again
    return 0


def _quit_after_first_frame(app) -> None:
    """For bench/startup.py: report when Home is first drawn, then stop."""
    from kivy.clock import Clock

    def drawn(_dt: float) -> None:
        elapsed = (time.perf_counter() - STARTED) * 1000
        screen = app.manager.current if app.manager else "none"
        print(f"first-frame-ms={elapsed:.0f} screen={screen}", flush=True)
        app.stop()

    app.bind(on_start=lambda *_: Clock.schedule_once(drawn, 0))


def _import(args: argparse.Namespace) -> int:
    from kiosk.content.importer import run_import

    return run_import(args.file, args.id, args.out)


def _speak(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from kiosk.content import load_library
    from kiosk.speech import export
    from kiosk.speech.clinic import clinic_voice, lexicon_path
    from kiosk.speech.lexicon import load_lexicon
    from kiosk.speech.synth import MAX_RATE, MIN_RATE, Synthesiser

    settings = _settings(args)
    library = load_library(settings.content_dir)
    document = next((d for d in library.documents if d.id == args.document), None)
    if document is None:
        ids = ", ".join(d.id for d in library.documents) or "none could be loaded"
        print(f"kiosk speak: no document '{args.document}'. Documents: {ids}", file=sys.stderr)
        return 2
    voice = clinic_voice(settings)
    if args.rate is not None:
        if not MIN_RATE <= args.rate <= MAX_RATE:
            print(f"kiosk speak: --rate must be {MIN_RATE} to {MAX_RATE} words a minute",
                  file=sys.stderr)
            return 2
        voice = replace(voice, rate=args.rate)
    if args.voice:
        voice = replace(voice, voice=args.voice)
    try:
        entries = export.choose_entries(document, args.section)
    except export.ExportError as error:
        print(f"kiosk speak: {error}", file=sys.stderr)
        return 2
    lexicon, problems = load_lexicon(lexicon_path(settings))
    for problem in problems:
        print(f"kiosk speak: pronunciation: {problem}", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        print(f"\rsection {done} of {total}", end="", file=sys.stderr, flush=True)

    pcm, timings = export.render(document, entries, lexicon, voice, Synthesiser.shared(),
                                 progress)
    timings_path = export.write(pcm, timings, args.out)
    print(f"\nWrote {args.out} ({timings['duration_ms'] / 1000:.1f} s of speech, "
          f"{len(timings['sentences'])} sentences) and {timings_path}", file=sys.stderr)
    return 0


def _hear(args: argparse.Namespace) -> int:
    from kiosk.voice.hear import run_hear

    settings = _settings(args)
    return run_hear(args.files, args.document, args.engine, settings.content_dir,
                    screen=args.screen, reading=args.reading, plain=args.plain)


def _check(args: argparse.Namespace) -> int:
    from kiosk.content import load_library

    settings = _settings(args)
    library = load_library(settings.content_dir)
    problems = [f"configuration: {p}" for p in settings.problems]
    problems += [f"content: {e.message}" for e in library.errors]
    from kiosk.speech.clinic import lexicon_path
    from kiosk.speech.lexicon import load_lexicon

    lexicon_file = lexicon_path(settings)
    if lexicon_file.exists():
        problems += [f"pronunciation: {p}" for p in load_lexicon(lexicon_file)[1]]
        if not problems:
            print(f"ok   pronunciation lexicon {lexicon_file.name}")
    for document in library.documents:
        print(f"ok   {document.id}: {document.title} ({len(document.entries)} sections)")
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"{len(library.documents)} document(s) loaded, {len(problems)} problem(s).")
    return 1 if problems else 0


def _doctor(args: argparse.Namespace) -> int:
    from kiosk.doctor import run

    if args.seconds < 0:
        print("kiosk doctor: --seconds must be 0 or more", file=sys.stderr)
        return 2
    return run(_settings(args), args.config, args.seconds, args.mic_file)


if __name__ == "__main__":
    sys.exit(main())
