"""Command line: ``kiosk run | import | speak | hear | follow | models | check | doctor``
(``python -m kiosk`` does the same)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from kiosk import __version__
from kiosk.program import command_name, on_a_virtual_screen
from kiosk.rules import VOICE_ENGINES

STARTED = time.perf_counter()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kiosk`` console script."""
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["run", *argv]  # no verb: run, with the options given (e.g. --windowed)
    args = parser.parse_args(argv)
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    prog = command_name()
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Offline ALS reading kiosk: large type, read aloud, voice. Without a VERB "
                    "it starts the kiosk, as the run verb does.",
        epilog=f"Each verb explains its own options: {prog} VERB --help")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", title="verbs")
    parser.verbs = verbs  # type: ignore[attr-defined]  (main() runs `run` without a verb)

    run = _verb(verbs, "run", "start the kiosk (the default verb)",
                "Start the kiosk: its window (covering the screen in kiosk mode), reading aloud "
                "and voice commands. Running the command without a verb does the same.")
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
    run.add_argument("--quit-after-voice", action="store_true", help=argparse.SUPPRESS)
    run.set_defaults(func=_run)

    imp = _verb(verbs, "import", "turn a .txt or .md document into draft YAML",
                "Turn a plain-text or Markdown document into a draft YAML document for the "
                "content folder (headings become sections). Read and correct the draft, then "
                "run check. Exits 1 when the file cannot be read or imported.")
    imp.add_argument("file", type=Path, metavar="FILE",
                     help="the plain-text (.txt) or Markdown (.md) document")
    imp.add_argument("--id", required=True,
                     help="the new document's id: lowercase letters, digits and hyphens, "
                          "starting with a letter or digit (e.g. ninds-als), and not the id of "
                          "another document in the content folder")
    imp.add_argument("--out", type=Path, help="write the YAML here instead of to the screen")
    imp.set_defaults(func=_import)

    speak = _verb(verbs, "speak", "render a document or section to a WAV file",
                  "Read a document, or one section, aloud into a WAV file to take home, with "
                  "the kiosk's voice, speed and pronunciations, and write the timing of every "
                  "sentence and word to a .json file beside it. Exits 2 on a bad argument.")
    speak.add_argument("document", help="document id, e.g. ninds-als")
    speak.add_argument("section", nargs="?", help="section id or number (default: all)")
    speak.add_argument("--out", type=Path, required=True, metavar="FILE.wav",
                       help="the WAV file to write, in a folder that exists")
    speak.add_argument("--rate", type=int, help="words per minute, 80 to 250")
    speak.add_argument("--voice", help="natural (the Piper voice) or an installed English "
                       "espeak-ng voice id, e.g. gmw/en-us (a wrong one is refused with the "
                       "list)")
    speak.add_argument("--config", type=Path, help="configuration file")
    speak.add_argument("--content", type=Path, help="folder of YAML documents")
    speak.set_defaults(func=_speak)

    hear = _verb(verbs, "hear", "recognise voice commands in WAV files (JSON lines)",
                 "Recognise voice commands in recordings, as the kiosk would hear them on a "
                 "screen, and print one JSON line per file: the command, or that it was "
                 "rejected.")
    hear.add_argument("files", type=Path, nargs="+", metavar="FILE.wav",
                      help="recordings of spoken commands: 16-bit PCM WAV, mono or stereo, "
                           "any sample rate")
    hear.add_argument("--document", help="as on the Reader screen of this document id")
    hear.add_argument("--screen", choices=["home", "contents", "reader", "help", "settings"],
                      help="the screen whose commands apply (default home, or reader with "
                           "--document)")
    hear.add_argument("--reading", action="store_true",
                      help="as while the kiosk reads aloud (only stop and pause)")
    hear.add_argument("--engine", choices=VOICE_ENGINES, default="auto",
                      help="the recogniser: auto (the default: the best one installed, "
                           "as the kiosk chooses; kiosk models list tells which) or one by "
                           "name")
    hear.add_argument("--plain", action="store_true",
                      help="plain grammar decoding, no rejection (for comparison)")
    hear.add_argument("--content", type=Path, help="folder of YAML documents")
    hear.add_argument("--config", type=Path, help="configuration file")
    hear.set_defaults(func=_hear)

    follow = _verb(verbs, "follow", "follow a person reading a section aloud in a WAV file "
                   "(JSON lines)",
                   "Follow a recording of someone reading a document aloud, as the Reader's "
                   "'Follow my reading' does, and print a JSON line each time the place "
                   "moves: {\"t\": seconds, \"section\": id, \"sentence\": n, \"word\": n} "
                   "(sentence 0 is the section's heading; words count from 0).")
    follow.add_argument("document", help="the document's id (kiosk check lists them)")
    follow.add_argument("section", nargs="?",
                        help="where the reading starts: a section's number or id (default 1)")
    follow.add_argument("file", type=Path, metavar="FILE.wav",
                        help="the recording: 16-bit PCM WAV, mono or stereo, any sample rate")
    follow.add_argument("--content", type=Path, help="folder of YAML documents")
    follow.add_argument("--config", type=Path, help="configuration file")
    follow.set_defaults(func=_follow)

    from kiosk.voice.models_cli import add_models_parser

    models = add_models_parser(verbs)
    models.description = models.description or (
        "See which speech recognition models are present and which engine the kiosk will "
        "use, or download the optional Vosk model (the only verb that goes online).")

    from kiosk.service import add_service_parser

    add_service_parser(verbs)

    check = _verb(verbs, "check",
                  "validate content and configuration (exits 1 if anything is wrong)",
                  "Load every document, the pronunciation lexicon and the configuration (its "
                  "voice among the installed ones) as the kiosk would, and list what is wrong "
                  "with each, naming the file, line or key. Exits 0 when all is well and 1 "
                  "when anything is wrong.")
    check.add_argument("--config", type=Path, help="configuration file")
    check.add_argument("--content", type=Path, help="folder of YAML documents")
    check.set_defaults(func=_check)

    doctor = _verb(verbs, "doctor", "check display, sound, microphone, voices, recogniser, "
                   "content, configuration and logs; say how to fix what does not work",
                   "Check that this computer is ready to be the kiosk: the display, the sound "
                   "output, the microphone (its level for a few seconds), the voices, the "
                   "recogniser, the content, the configuration and the log folder; say how to "
                   "fix what does not work. Exits 1 when a check fails (warnings are allowed).")
    doctor.add_argument("--config", type=Path, help="configuration file")
    doctor.add_argument("--content", type=Path, help="folder of YAML documents")
    doctor.add_argument("--seconds", type=float, default=3.0, metavar="N",
                        help="seconds to measure the microphone level (default 3)")
    doctor.add_argument("--mic-file", type=Path, metavar="WAV",
                        help="measure the level of this WAV file, played as the microphone")
    doctor.set_defaults(func=_doctor)
    return parser


def _verb(verbs, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    """A verb with its line in ``kiosk --help`` and its description in ``kiosk VERB --help``."""
    return verbs.add_parser(name, help=summary, description=description)


def _settings(args: argparse.Namespace, voice: bool = False):
    """The configuration with the command line's overrides; with ``voice``, an unknown
    voice is reported among its problems and the default voice used."""
    from dataclasses import replace

    from kiosk.config import load_settings

    settings = load_settings(args.config)
    if voice:
        settings = _voice_checked(settings, args)
    if getattr(args, "content", None):
        settings = replace(settings, content_dir=args.content.resolve())
    if getattr(args, "fullscreen", None):
        settings = replace(settings, fullscreen=True)
    if getattr(args, "windowed", False):
        settings = replace(settings, fullscreen=False)
    return settings


def _voice_checked(settings, args: argparse.Namespace):
    """``settings`` with an unknown voice reported among its problems and the default used
    (this starts the speech engine, to ask it which voices are installed)."""
    from kiosk.config import check_voice, config_path
    from kiosk.speech.voices import installed_voices

    return check_voice(settings, installed_voices(), str(config_path(args.config) or "config"))


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from kiosk.logs import setup_logging

    setup_logging(settings)  # before the speech engine starts (it logs as it does)
    settings = _voice_checked(settings, args)
    for problem in settings.problems:
        print(f"kiosk: configuration: {problem}", file=sys.stderr)
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        print("kiosk: no DISPLAY or WAYLAND_DISPLAY is set, so the window may not be visible. "
              "Start it from the kiosk's desktop session, or on a virtual screen with "
              f"`{on_a_virtual_screen()}`.", file=sys.stderr)
    from kiosk.ui import prepare_kivy

    # kiosk mode covers the screen, unless --windowed asks for a window (trying a set-up)
    fullscreen = settings.fullscreen or (settings.kiosk_mode and not args.windowed)
    prepare_kivy(settings.window_width, settings.window_height, fullscreen)
    try:
        from kivy.core.window import Window

        from kiosk.ui.app import KioskApp

        if Window is None:  # Kivy logged "Unable to find any valuable Window provider"
            raise RuntimeError("no window could be opened")
    except Exception as error:  # noqa: BLE001 - no display, missing GL: say so plainly
        print(f"kiosk: cannot open the display ({error}). Is a screen attached, or DISPLAY "
              f"set? For a virtual screen run: {on_a_virtual_screen()}",
              file=sys.stderr)
        return 2
    mic = None
    if args.mic_file:
        from kiosk.voice.sources import FileMic

        mic = FileMic(args.mic_file, speed=args.mic_speed)
    app = KioskApp(settings, mic_source=mic)
    if args.quit_after_draw or args.quit_after_voice:
        _report_start_up(app, quit_after_voice=args.quit_after_voice)
    app.run()
    if app.kiosk is not None and app.kiosk.exiting:
        from kiosk.service import STAFF_EXIT

        return STAFF_EXIT  # the service manager does not start it again
    return 0


def _report_start_up(app, quit_after_voice: bool) -> None:
    """For bench/startup.py: report when Home is first shown and, with
    ``quit_after_voice``, when the listener is ready to act on a command; then stop."""
    from kivy.clock import Clock
    from kivy.core.window import Window

    def elapsed_ms() -> int:
        return round((time.perf_counter() - STARTED) * 1000)

    def shown(*_args) -> None:
        Window.unbind(on_flip=shown)
        screen = app.manager.current if app.manager else "none"
        print(f"first-frame-ms={elapsed_ms()} screen={screen}", flush=True)
        if not quit_after_voice:
            Clock.schedule_once(lambda _dt: app.stop(), 0)

    def voice(_app, state: str) -> None:
        if state == "loading":
            return
        app.unbind(voice_state=voice)
        outcome = state if state in ("unavailable", "off") else "ready"
        print(f"voice-{outcome}-ms={elapsed_ms()} state={state}", flush=True)
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    Window.bind(on_flip=shown)
    if quit_after_voice:
        app.bind(voice_state=voice)


def _import(args: argparse.Namespace) -> int:
    from kiosk.content.importer import run_import

    return run_import(args.file, args.id, args.out)


def _speak(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from kiosk.content import load_library
    from kiosk.rules import SPEECH_RATE
    from kiosk.speech import export
    from kiosk.speech.clinic import clinic_voice, lexicon_path
    from kiosk.speech.lexicon import load_lexicon
    from kiosk.speech.synth import Synthesiser

    try:
        export.check_destination(args.out)
    except export.ExportError as error:
        print(f"kiosk speak: --out {error}", file=sys.stderr)
        return 2
    settings = _settings(args, voice=True)
    for problem in settings.problems:
        print(f"kiosk speak: configuration: {problem}", file=sys.stderr)
    library = load_library(settings.content_dir)
    document = next((d for d in library.documents if d.id == args.document), None)
    if document is None:
        ids = ", ".join(d.id for d in library.documents) or "none could be loaded"
        print(f"kiosk speak: no document '{args.document}'. Documents: {ids}", file=sys.stderr)
        return 2
    voice = clinic_voice(settings)
    if args.rate is not None:
        if SPEECH_RATE.problem(args.rate) is not None:
            print(f"kiosk speak: --rate must be {SPEECH_RATE.low} to {SPEECH_RATE.high} "
                  "words a minute",
                  file=sys.stderr)
            return 2
        voice = replace(voice, rate=args.rate)
    if args.voice:
        from kiosk.speech.voices import VoiceNotInstalled, installed_voices, require_voice

        try:
            voice = replace(voice, voice=require_voice(args.voice, installed_voices()))
        except VoiceNotInstalled as error:
            print(f"kiosk speak: --voice {error}", file=sys.stderr)
            return 2
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


def _follow(args: argparse.Namespace) -> int:
    from kiosk.voice.dictation import run_follow

    return run_follow(args.document, args.section, args.file, _settings(args))


def _check(args: argparse.Namespace) -> int:
    from kiosk.content import load_library

    settings = _settings(args, voice=True)
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
    from kiosk.pin import HASH_IT, StaffPin

    pin_problem = StaffPin.of(settings).problem()
    if settings.kiosk_mode and pin_problem:
        problems.append(f"configuration: {pin_problem}")
    elif settings.admin_pin and not settings.admin_pin_hash:
        print(f"note {HASH_IT}")
    if settings.kiosk_mode:
        for document in library.documents:
            if not document.source.may_be_shown_in_public:
                print(f"note {document.id}: its licence ({document.source.licence or 'none given'})"
                      f" is not public domain or an open licence; a public kiosk needs "
                      f"{document.source.publisher}'s permission to show it. Once given, "
                      f"record it in the document's source, for example: licence: Shown with "
                      f"{document.source.publisher}'s written permission (letter of <date>)")
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
