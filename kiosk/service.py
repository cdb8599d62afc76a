"""``kiosk service install | uninstall | status``: start the kiosk at boot with systemd.

The unit template is ``deploy/als-kiosk.service`` in the repository (read it for why it is a
*user* unit started by the desktop session). ``install`` fills in this machine's paths (the
virtual environment's ``kiosk``, the repository folder, ``--config``), writes the unit to
``~/.config/systemd/user/`` and asks the user's systemd to enable and start it.

Where systemd cannot be asked (no ``systemctl``, or a machine, container or image build not
started by systemd) the unit file is still written and enabled the way ``systemctl enable``
does it (a link in ``graphical-session.target.wants/``), and the commands to start it at once
are printed; the exit code is then 0, since nothing more could be done here. It is 1 when
the unit file cannot be written or removed, or when systemd refuses a command.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from kiosk import paths
from kiosk.paths import PROJECT_ROOT

UNIT_NAME = "als-kiosk.service"
STAFF_EXIT = 64
"""``kiosk run``'s exit status after staff chose Exit on the admin screen: the unit's
RestartPreventExitStatus, so the service manager leaves it closed. Any other exit (a crash,
an error storm) is restarted."""
"""The unit's name: ``systemctl --user status als-kiosk``, ``journalctl --user -u als-kiosk``."""

TEMPLATE = PROJECT_ROOT / "deploy" / UNIT_NAME
"""The unit template, with ``@FIELD@`` placeholders that ``render_unit`` fills in."""

SYSTEMCTL = ["systemctl", "--user"]
"""How the user's service manager is addressed (the unit is a user unit)."""


class ServiceError(Exception):
    """The unit cannot be made or written; the message says why in plain words."""


# ---- rendering the unit ------------------------------------------------------------------

def default_unit_dir() -> Path:
    """Where systemd looks for the user's own units: ``$XDG_CONFIG_HOME/systemd/user``,
    normally ``~/.config/systemd/user``."""
    config_home = os.environ.get("XDG_CONFIG_HOME")
    base = Path(config_home) if config_home and Path(config_home).is_absolute() else (
        Path.home() / ".config")
    return base / "systemd" / "user"


def kiosk_command() -> list[str]:
    """The command that starts this installation of the kiosk: the ``kiosk`` script of the
    running Python environment (``.venv/bin/kiosk``), or ``python -m kiosk`` when that script
    is missing. The virtual environment's ``bin`` folder is kept as it is (not followed to
    the system Python its ``python`` links to), so the unit runs the venv."""
    script = Path(sysconfig.get_path("scripts")) / "kiosk"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(_absolute(script))]
    return [str(_absolute(Path(sys.executable))), "-m", "kiosk"]


def _absolute(path: Path) -> Path:
    """``path`` made absolute without resolving symbolic links (a venv's python is one)."""
    return Path(os.path.abspath(path))


def _check_line(value: str) -> str:
    if any(ch in value for ch in "\n\r\0"):
        raise ServiceError(f"the path {value!r} holds a line break, which a systemd unit "
                           "cannot hold; move the kiosk to a folder with a plain name.")
    return value


def _specifiers(value: str) -> str:
    """Escape ``%`` so systemd does not read it as a specifier such as ``%h``."""
    return _check_line(value).replace("%", "%%")


def exec_quote(argument: str, executable: bool = False) -> str:
    """One argument of a unit's ``ExecStart=``, as systemd reads it back: ``%`` escaped
    (systemd would read a specifier such as ``%h``), ``$`` escaped in arguments (a variable),
    and double-quoted, with ``\\`` and ``"`` escaped, when it holds anything but letters,
    digits and ``/._-+:,=@``. The executable (the first argument) is not searched for
    variables, and systemd refuses quotes and backslashes in it."""
    value = _specifiers(argument)
    if executable:
        if any(ch in value for ch in "\"'\\"):
            raise ServiceError(f"systemd cannot run a program whose path holds a quote or a "
                               f"backslash ({argument}); move the kiosk to a folder with a "
                               "plainer name.")
    else:
        value = value.replace("$", "$$")
    if value and all(ch.isalnum() or ch in "/._-+:,=@%$" for ch in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def exec_start(config: Path | None = None, command: list[str] | None = None) -> list[str]:
    """The kiosk's command line in the unit, as a list of arguments (unquoted)."""
    args = [*(command or kiosk_command()), "run", "--fullscreen"]
    if config is not None:
        args += ["--config", str(_absolute(config))]
    return args


def render_unit(config: Path | None = None, *, command: list[str] | None = None,
                working_dir: Path = PROJECT_ROOT, template: Path = TEMPLATE) -> str:
    """The unit file text: the template with this machine's paths filled in.

    ``command`` is the kiosk command (default: this environment's ``kiosk``), ``config`` the
    configuration file passed with ``--config`` (default: none, so the kiosk uses
    ``config/kiosk.yaml``), ``working_dir`` the kiosk's folder (the repository)."""
    try:
        text = template.read_text(encoding="utf-8")
    except OSError as error:
        raise ServiceError(f"cannot read the unit template {template}: {error.strerror}. It "
                           "comes with the kiosk's source in deploy/; is this a complete "
                           "copy of the repository?") from error
    working_dir = _absolute(working_dir)
    fields = {
        "@EXEC_START@": " ".join(exec_quote(arg, executable=index == 0)
                                 for index, arg in enumerate(exec_start(config, command))),
        "@WORKING_DIRECTORY@": _specifiers(str(working_dir)),
        "@DOCUMENTATION@": _specifiers((working_dir / "README.md").as_uri()),
    }
    for field, value in fields.items():
        if field not in text:
            raise ServiceError(f"the unit template {template} has no {field} field; restore "
                               "it from the repository.")
        text = text.replace(field, value)
    return text


# ---- systemd -----------------------------------------------------------------------------

def systemd_running() -> bool:
    """Whether this machine was started by systemd (``sd_booted()``: /run/systemd/system
    exists). In a container or chroot without it, ``systemctl`` cannot do anything."""
    return Path("/run/systemd/system").is_dir()


def install_commands(start: bool = True) -> list[list[str]]:
    """The systemctl commands that make systemd read the unit and start it with the session."""
    enable = [*SYSTEMCTL, "enable", *(["--now"] if start else []), UNIT_NAME]
    return [[*SYSTEMCTL, "daemon-reload"], enable]


def uninstall_commands() -> list[list[str]]:
    """Stop the kiosk and remove it from the session's start-up (before deleting the file)."""
    return [[*SYSTEMCTL, "disable", "--now", UNIT_NAME]]


def _shell(command: list[str]) -> str:
    return " ".join(shlex.quote(part) for part in command)


def _systemctl_problem() -> str | None:
    """Why systemctl cannot be used here, in plain words, or None if it can be tried."""
    if shutil.which("systemctl") is None:
        return "systemctl is not installed on this machine, so systemd cannot be asked to"
    if not systemd_running():
        return ("this machine (or container) was not started by systemd, so systemd cannot "
                "be asked to")
    return None


def _run_all(commands: list[list[str]], out: TextIO) -> bool:
    """Run systemctl commands in order, showing each; stop at the first that fails."""
    for command in commands:
        print(f"$ {_shell(command)}", file=out, flush=True)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            print(f"kiosk service: could not run {command[0]}: {error}", file=out)
            return False
        for stream_text in (done.stdout, done.stderr):
            if stream_text.strip():
                print(stream_text.rstrip(), file=out)
        if done.returncode != 0:
            print(f"kiosk service: `{_shell(command)}` failed (exit code {done.returncode}).",
                  file=out)
            return False
    return True


def _session_running() -> bool:
    """Whether this user's desktop session has told systemd it is up."""
    try:
        done = subprocess.run([*SYSTEMCTL, "is-active", "--quiet", "graphical-session.target"],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def wanted_by(text: str) -> list[str]:
    """The targets named by the unit's ``WantedBy=`` (``graphical-session.target``)."""
    targets: list[str] = []
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "WantedBy":
            targets += value.split()
    return targets


def _wants_links(unit_path: Path) -> list[Path]:
    """The links that enable the unit (``TARGET.wants/als-kiosk.service`` beside it)."""
    return [link for link in unit_path.parent.glob(f"*.wants/{UNIT_NAME}")
            if link.is_symlink()]


def _enable_offline(unit_path: Path, text: str, out: TextIO) -> bool:
    """What ``systemctl --user enable`` does when systemd cannot be asked: link the unit
    into ``TARGET.wants/`` for each ``WantedBy=`` target, so the next session starts it."""
    try:
        for target in wanted_by(text):
            link = unit_path.parent / f"{target}.wants" / UNIT_NAME
            if link.is_symlink() and Path(os.readlink(link)) == unit_path:
                continue
            link.parent.mkdir(exist_ok=True)
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(unit_path)
    except OSError as error:
        print(f"kiosk service: could not enable the unit ({error}).", file=out)
        return False
    return bool(wanted_by(text))


# ---- the verbs ---------------------------------------------------------------------------

def install(unit_dir: Path | None = None, config: Path | None = None, *, start: bool = True,
            dry_run: bool = False, out: TextIO | None = None) -> int:
    """``kiosk service install``: write the unit, then ``daemon-reload`` and ``enable --now``
    (just ``enable`` when no desktop session is running yet, or with ``start=False``)."""
    out = out if out is not None else sys.stdout
    unit_dir = unit_dir if unit_dir is not None else default_unit_dir()
    unit_path = _absolute(unit_dir) / UNIT_NAME
    if config is not None and not config.is_file():
        print(f"kiosk service: there is no configuration file {config}; give an existing "
              "file with --config, or leave it out to use config/kiosk.yaml.", file=out)
        return 1
    try:
        text = render_unit(config)
    except ServiceError as error:
        print(f"kiosk service: {error}", file=out)
        return 1
    commands = install_commands(start)
    if dry_run:
        print(f"# kiosk service install --dry-run: would write {unit_path}:", file=out)
        print(text, end="", file=out)
        print("# and then run:", file=out)
        for command in commands:
            print(_shell(command), file=out)
        return 0

    if hasattr(os, "geteuid") and os.geteuid() == 0:
        print("kiosk service: note: you are root, so this installs the kiosk for root's own "
              "desktop session. On a kiosk, run it as the user the machine logs in "
              "automatically.", file=out)
    try:
        unchanged = unit_path.is_file() and unit_path.read_text(encoding="utf-8") == text
        if not unchanged:
            paths.write_atomically(unit_path, text)
    except OSError as error:
        print(f"kiosk service: cannot write {unit_path}: {error.strerror or error}. Check "
              "that the folder is yours and the disk is not full.", file=out)
        return 1
    print(f"{'Unit already up to date' if unchanged else 'Wrote'}: {unit_path}", file=out)
    print(f"It runs: {' '.join(exec_start(config))}", file=out)

    if not start:
        print("Not enabled (--no-start). To start the kiosk with the desktop session, run:",
              file=out)
        _print_commands(install_commands(start=True), out)
        return 0
    problem = _systemctl_problem()
    if problem is not None:
        linked = _enable_offline(unit_path, text, out)
        print(f"kiosk service: {problem} start the kiosk. The unit file is installed"
              + (" and enabled, so the kiosk starts with this user's next desktop session. "
                 "To start it at once, run in that session:" if linked else
                 "; on the kiosk machine, as this user, run:"), file=out)
        _print_commands(commands, out)
        return 0
    if not _run_all(commands[:1], out):
        _explain_failure(commands, out)
        return 1
    session = _session_running()
    if not session:
        commands = install_commands(start=False)
    if not _run_all(commands[1:], out):
        _explain_failure(commands, out)
        return 1
    if session:
        print("The kiosk is enabled and started: it starts with this desktop session and "
              "again 3 seconds after it exits. Logs: journalctl --user -u als-kiosk", file=out)
    else:
        print("The kiosk is enabled. No desktop session of this user is running now, so it "
              "was not started: it starts when the session starts (automatic login at "
              "boot). Logs: journalctl --user -u als-kiosk", file=out)
    return 0


PIN_TRIES = 3
"""How many PINs ``kiosk service install`` asks for before it gives up."""


def staff_pin(config: Path | None = None, pin: str | None = None, *, dry_run: bool = False,
              ask: Callable[[str], str] | None = None, out: TextIO | None = None) -> int:
    """``kiosk service install``'s first step: a staff PIN for the admin screen, stored as a
    salted hash (``admin_pin_hash``) in the configuration ``config`` (default: the one the
    kiosk uses). ``pin`` is ``--pin``; without it the PIN is asked for with ``ask`` (a
    terminal; Enter keeps a usable PIN already set), else a usable PIN already set is kept.
    Easy PINs (kiosk.pin.trivial) are refused. Exit code 0, or 1 with the reason."""
    from kiosk.config import config_path, load_settings, write_setting
    from kiosk.pin import MAX_DIGITS, MIN_DIGITS, StaffPin, hash_pin, refused

    out = out if out is not None else sys.stdout
    path = config_path(config) or paths.DEFAULT_CONFIG
    current = StaffPin.of(load_settings(path)) if path.exists() else StaffPin()
    usable = not current.problem()
    if pin is None and ask is not None:
        keep = " (Enter keeps the one set now)" if usable else ""
        for _ in range(PIN_TRIES):
            typed = ask(f"Staff PIN for the admin screen, {MIN_DIGITS} to {MAX_DIGITS} "
                        f"digits{keep}: ").strip()
            if not typed and usable:
                break
            why = refused(typed)
            if why:
                print(f"That PIN is refused: {why}. Choose another.", file=out)
                continue
            if ask("The same PIN again: ").strip() != typed:
                print("The two PINs differ. Again, please.", file=out)
                continue
            pin = typed
            break
        else:
            print(f"kiosk service: no staff PIN was chosen after {PIN_TRIES} tries; nothing "
                  "was installed.", file=out)
            return 1
    if pin is None:
        if usable:
            print(f"Staff PIN: keeping the one set in {path}.", file=out)
            return 0
        if dry_run:
            print(f"# would ask for a staff PIN: {current.problem()}", file=out)
            return 0
        print(f"kiosk service: {current.problem()} Give one with --pin, or run this in a "
              "terminal to be asked for it. Nothing was installed.", file=out)
        return 1
    why = refused(pin)
    if why:
        print(f"kiosk service: that PIN is refused: {why}. Choose another; nothing was "
              "installed.", file=out)
        return 1
    if dry_run:
        print(f"# would store the staff PIN as a salted hash (admin_pin_hash) in {path}",
              file=out)
        return 0
    try:
        write_setting(path, "admin_pin_hash", hash_pin(pin), replaces=("admin_pin",))
    except OSError as error:
        print(f"kiosk service: cannot write {path}: {error.strerror or error}.", file=out)
        return 1
    print(f"Staff PIN: stored as a salted hash (admin_pin_hash) in {path}; the plain "
          "admin_pin line, if any, is gone. Restart the kiosk for it to take effect.",
          file=out)
    return 0


def _install_command(args: argparse.Namespace) -> int:
    """``kiosk service install``: the staff PIN, then the unit."""
    ask = None
    if args.pin is None and sys.stdin.isatty() and not args.dry_run:
        import getpass

        ask = getpass.getpass
    code = staff_pin(args.config, args.pin, dry_run=args.dry_run, ask=ask)
    if code != 0:
        return code
    return install(args.unit_dir, args.config, start=not args.no_start, dry_run=args.dry_run)


def uninstall(unit_dir: Path | None = None, *, dry_run: bool = False,
              out: TextIO | None = None) -> int:
    """``kiosk service uninstall``: stop and disable the kiosk, remove the unit, reload."""
    out = out if out is not None else sys.stdout
    unit_dir = unit_dir if unit_dir is not None else default_unit_dir()
    unit_path = _absolute(unit_dir) / UNIT_NAME
    before = uninstall_commands()
    after = [[*SYSTEMCTL, "daemon-reload"]]
    if dry_run:
        print("# kiosk service uninstall --dry-run: would run:", file=out)
        _print_commands(before, out, prefix="")
        print(f"# remove {unit_path}", file=out)
        _print_commands(after, out, prefix="")
        return 0
    if not unit_path.exists():
        print(f"The kiosk service is not installed ({unit_path} does not exist); nothing to "
              "do.", file=out)
        return 0
    problem = _systemctl_problem()
    if problem is None:
        if not _run_all(before, out):
            print("kiosk service: systemd could not stop the kiosk; the unit file is removed "
                  "anyway.", file=out)
    try:
        for link in _wants_links(unit_path):
            link.unlink()
        unit_path.unlink()
    except OSError as error:
        print(f"kiosk service: cannot remove {unit_path}: {error.strerror or error}.",
              file=out)
        return 1
    print(f"Removed: {unit_path}", file=out)
    if problem is not None:
        print(f"kiosk service: {problem} stop the kiosk. If it is running on the kiosk "
              "machine, run there, as this user:", file=out)
        _print_commands([[*SYSTEMCTL, "stop", UNIT_NAME], *after], out)
        return 0
    return 0 if _run_all(after, out) else 1


def status(unit_dir: Path | None = None, config: Path | None = None, *,
           out: TextIO | None = None) -> int:
    """``kiosk service status``: is the unit installed, is it current, what does systemd say.
    0 when it is installed, 1 when not."""
    out = out if out is not None else sys.stdout
    unit_dir = unit_dir if unit_dir is not None else default_unit_dir()
    unit_path = _absolute(unit_dir) / UNIT_NAME
    if not unit_path.is_file():
        print(f"Not installed: there is no {unit_path}. Install it with: kiosk service install",
              file=out)
        return 1
    print(f"Installed: {unit_path}", file=out)
    try:
        current = unit_path.read_text(encoding="utf-8") == render_unit(config)
    except (OSError, ServiceError):
        current = False
    if not current:
        print("It differs from what `kiosk service install` would write now (the kiosk was "
              "moved or updated, or --config differs); run `kiosk service install` again.",
              file=out)
    problem = _systemctl_problem()
    if problem is not None:
        print(f"kiosk service: {problem} report on the kiosk.", file=out)
        return 0
    out.flush()
    command = [*SYSTEMCTL, "--no-pager", "status", UNIT_NAME]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"kiosk service: could not run systemctl: {error}", file=out)
        return 0
    print((done.stdout + done.stderr).rstrip(), file=out)
    return 0


def _print_commands(commands: list[list[str]], out: TextIO, prefix: str = "    ") -> None:
    for command in commands:
        print(f"{prefix}{_shell(command)}", file=out)


def _explain_failure(commands: list[list[str]], out: TextIO) -> None:
    print("The unit file is installed, but systemd did not enable it. Run these commands as "
          "the kiosk user inside its desktop session (a user's systemd runs only while the "
          "user is logged in, so `su` or `sudo -u` from another account does not reach it):",
          file=out)
    _print_commands(commands, out)


# ---- command line ------------------------------------------------------------------------

def add_service_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``service install | uninstall | status`` to the ``kiosk`` command's sub-parsers.

    Each sets ``func`` (takes the parsed arguments, returns the exit code) like the other
    verbs, so ``kiosk/__main__.py`` only calls this."""
    service = subparsers.add_parser(
        "service", help="start the kiosk at boot (systemd user service)",
        description="Install, remove or inspect the systemd user service that starts the "
                    "kiosk fullscreen with the desktop session and restarts it if it exits.")
    actions = service.add_subparsers(dest="service_action", metavar="ACTION", required=True)
    unit_dir_help = ("folder for the unit file (default: ~/.config/systemd/user, the user's "
                     "own systemd units)")

    install_parser = actions.add_parser(
        "install", help=f"write {UNIT_NAME} and enable it",
        description="Ask for the staff PIN of the admin screen (or take --pin; Enter "
                    "keeps a usable one already set) and store it as a salted hash "
                    "(admin_pin_hash) in the configuration, then write "
                    f"{UNIT_NAME} with this installation's paths into the user's "
                    "systemd folder and run `systemctl --user daemon-reload` and "
                    "`systemctl --user enable --now als-kiosk.service`. Run it as the user "
                    "the kiosk machine logs in automatically. Safe to run again.")
    install_parser.add_argument("--config", type=Path, metavar="FILE",
                                help="configuration file the kiosk starts with (default: "
                                     "config/kiosk.yaml)")
    install_parser.add_argument("--unit-dir", type=Path, metavar="DIR", help=unit_dir_help)
    install_parser.add_argument("--no-start", action="store_true",
                                help="only write the unit file; run no systemctl command")
    install_parser.add_argument("--dry-run", action="store_true",
                                help="print the unit and the commands; change nothing")
    install_parser.add_argument("--pin", metavar="DIGITS",
                                help="the staff PIN of the admin screen (4 to 8 digits, not "
                                     "an easy one like 1234); without it you are asked. It is "
                                     "stored as a salted hash in the configuration")
    install_parser.set_defaults(func=_install_command)

    uninstall_parser = actions.add_parser(
        "uninstall", help="stop the kiosk service and remove it",
        description=f"Run `systemctl --user disable --now {UNIT_NAME}`, remove the unit "
                    "file and reload systemd. Safe to run again.")
    uninstall_parser.add_argument("--unit-dir", type=Path, metavar="DIR", help=unit_dir_help)
    uninstall_parser.add_argument("--dry-run", action="store_true",
                                  help="print what would be done; change nothing")
    uninstall_parser.set_defaults(func=lambda args: uninstall(args.unit_dir,
                                                              dry_run=args.dry_run))

    status_parser = actions.add_parser(
        "status", help="is the service installed and running",
        description="Say whether the unit is installed and up to date, and show "
                    f"`systemctl --user status {UNIT_NAME}`.")
    status_parser.add_argument("--config", type=Path, metavar="FILE",
                               help="the --config given to install (to check the unit is "
                                    "current)")
    status_parser.add_argument("--unit-dir", type=Path, metavar="DIR", help=unit_dir_help)
    status_parser.set_defaults(func=lambda args: status(args.unit_dir, args.config))
    return service
