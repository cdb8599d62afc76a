"""`kiosk service`: the systemd unit that starts the kiosk at boot and restarts it.

systemd is not running on the build machine (and `systemctl` may be missing), so the verbs
are tested with a fake `systemctl` on PATH that records its arguments. The unit itself is
checked three ways: parsed here as a unit file, validated by `systemd-analyze verify` when
that tool is installed, and its ExecStart line run for real on the tests' virtual screen.
"""

from __future__ import annotations

import argparse
import io
import os
import shlex
import shutil
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from kiosk import service
from kiosk.paths import PROJECT_ROOT
from kiosk.service import (
    STAFF_EXIT,
    UNIT_NAME,
    add_service_parser,
    install,
    render_unit,
    status,
    uninstall,
)

VENV_KIOSK = Path(os.path.abspath(Path(sysconfig.get_path("scripts")) / "kiosk"))


def parse_unit(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """A unit file as [(section, [(key, value), ...]), ...], checked line by line the way
    systemd reads it (comments, [Section] headers, Key=value; no continuation lines here)."""
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            sections.append((line[1:-1], []))
            continue
        assert sections, f"line {number} is outside any section: {line!r}"
        assert "=" in line, f"line {number} is not Key=value: {line!r}"
        assert not line.endswith("\\"), f"line {number} continues: {line!r}"
        key, value = line.split("=", 1)
        assert key.strip() and key.strip().replace("_", "").isalnum(), f"bad key {key!r}"
        sections[-1][1].append((key.strip(), value.strip()))
    return sections


def values(text: str, section: str, key: str) -> list[str]:
    return [v for name, pairs in parse_unit(text) if name == section
            for k, v in pairs if k == key]


def exec_argv(text: str) -> list[str]:
    """ExecStart= as the argument list systemd runs: double quotes with \\ escapes, then
    %% unescaped, and $$ in the arguments (systemd does not look for variables in the
    program's own path)."""
    (line,) = values(text, "Service", "ExecStart")
    program, *arguments = (part.replace("%%", "%") for part in shlex.split(line))
    return [program, *(argument.replace("$$", "$") for argument in arguments)]


@pytest.fixture
def fake_systemctl(tmp_path, monkeypatch):
    """A `systemctl` first on PATH that logs each call; `graphical-session.target` is
    active unless the test writes 'inactive' into ``session``; ``fail`` names a verb that
    fails like systemctl does without a user bus."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"
    session = tmp_path / "session"
    fail = tmp_path / "fail"
    script = bin_dir / "systemctl"
    script.write_text(f"""#!/bin/sh
echo "$*" >> {shlex.quote(str(log))}
for arg in "$@"; do
  if [ -f {shlex.quote(str(fail))} ] && [ "$arg" = "$(cat {shlex.quote(str(fail))})" ]; then
    echo "Failed to connect to bus: No medium found" >&2; exit 1
  fi
done
case "$*" in
  *is-active*graphical-session.target*)
    [ "$(cat {shlex.quote(str(session))} 2>/dev/null)" = inactive ] && exit 3 ;;
esac
exit 0
""")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(service, "systemd_running", lambda: True)

    class Fake:
        def calls(self) -> list[str]:
            return log.read_text().splitlines() if log.exists() else []

        def session_inactive(self) -> None:
            session.write_text("inactive")

        def fail_on(self, verb: str) -> None:
            fail.write_text(verb)

    return Fake()


@pytest.fixture
def no_systemctl(tmp_path, monkeypatch):
    """A PATH without systemctl (as on a build machine or in a container)."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def run(func, *args, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    code = func(*args, out=out, **kwargs)
    return code, out.getvalue()


# ---- the unit ----------------------------------------------------------------------------

def test_unit_has_the_three_sections_and_restarts_forever():
    text = render_unit()
    assert "@" not in "".join(line for line in text.splitlines() if not line.startswith("#"))
    assert [name for name, _ in parse_unit(text)] == ["Unit", "Service", "Install"]
    assert values(text, "Service", "Restart") == ["always"]
    assert values(text, "Service", "RestartSec") == ["3"]
    # except after staff chose Exit on the admin screen
    assert values(text, "Service", "RestartPreventExitStatus") == [str(STAFF_EXIT)]
    assert values(text, "Unit", "StartLimitIntervalSec") == ["0"]
    assert values(text, "Unit", "After") == ["graphical-session.target"]
    assert values(text, "Unit", "PartOf") == ["graphical-session.target"]
    assert values(text, "Install", "WantedBy") == ["graphical-session.target"]
    assert values(text, "Service", "NoNewPrivileges") == ["yes"]
    # the kiosk is offline: nothing waits for or pulls in a network
    assert "network" not in "\n".join(
        f"{k}={v}" for _, pairs in parse_unit(text) for k, v in pairs)
    # hardening that would hide the X socket or need user namespaces is left out
    for key in ("PrivateTmp", "ProtectSystem", "ProtectHome", "PrivateUsers"):
        assert not values(text, "Service", key)


def test_unit_runs_this_venvs_kiosk_fullscreen_from_the_repository():
    text = render_unit()
    assert exec_argv(text) == [str(VENV_KIOSK), "run", "--fullscreen"]
    assert os.access(VENV_KIOSK, os.X_OK)
    assert values(text, "Service", "WorkingDirectory") == [str(PROJECT_ROOT)]
    assert values(text, "Unit", "Documentation") == [(PROJECT_ROOT / "README.md").as_uri()]


def test_odd_paths_are_quoted_so_systemd_runs_exactly_them(tmp_path):
    folder = tmp_path / "my kiosk 100% $HOME"
    folder.mkdir()
    kiosk = folder / "kiosk"
    kiosk.write_text("#!/bin/sh\n")
    kiosk.chmod(0o755)
    config = folder / 'the clinic\'s "kiosk" \\ $HOME %h.yaml'
    text = render_unit(config, command=[str(kiosk)], working_dir=folder)
    assert exec_argv(text) == [str(kiosk), "run", "--fullscreen", "--config", str(config)]
    (working_dir,) = values(text, "Service", "WorkingDirectory")
    assert working_dir.replace("%%", "%") == str(folder)
    (documentation,) = values(text, "Unit", "Documentation")
    assert documentation == (folder / "README.md").as_uri().replace("%", "%%")
    _verify_if_possible(text, tmp_path)


def test_a_line_break_in_a_path_is_refused(tmp_path):
    with pytest.raises(service.ServiceError, match="line break"):
        render_unit(command=[str(tmp_path / "a\nb")])
    with pytest.raises(service.ServiceError, match="quote or a backslash"):
        render_unit(command=[str(tmp_path / 'a"b' / "kiosk")])


def _verify_if_possible(text: str, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return
    unit_dir = tmp_path / "verify"
    unit_dir.mkdir(exist_ok=True)
    (unit_dir / UNIT_NAME).write_text(text)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    done = subprocess.run([analyze, "--user", "verify", str(unit_dir / UNIT_NAME)],
                          capture_output=True, text=True, env=env, timeout=60)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "Unknown" not in report and "ignoring" not in report, report


def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd to run this)")
    _verify_if_possible(render_unit(), tmp_path)


@pytest.mark.gui
def test_the_exec_start_line_starts_the_kiosk(virtual_display, tmp_path):
    """Run the unit's ExecStart as systemd would (its folder, its Environment=) on the
    virtual screen, until the Home screen is first drawn. Restart= itself needs systemd."""
    text = render_unit()
    env = {**os.environ, "DISPLAY": virtual_display, "KIVY_HOME": str(tmp_path / "kivy")}
    for assignment in values(text, "Service", "Environment"):
        key, value = assignment.split("=", 1)
        env[key] = value
    (cwd,) = values(text, "Service", "WorkingDirectory")
    done = subprocess.run([*exec_argv(text), "--quit-after-draw"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "screen=home" in done.stdout


# ---- install / uninstall / status --------------------------------------------------------

def test_dry_run_prints_the_unit_and_commands_and_writes_nothing(tmp_path, fake_systemctl):
    code, out = run(install, tmp_path / "units", dry_run=True)
    assert code == 0
    assert f"ExecStart={VENV_KIOSK} run --fullscreen\n" in out
    assert "Restart=always" in out
    assert f"would write {tmp_path / 'units' / UNIT_NAME}" in out
    assert "systemctl --user daemon-reload\nsystemctl --user enable --now als-kiosk.service" in out
    assert not (tmp_path / "units").exists()
    assert fake_systemctl.calls() == []


def test_the_cli_verbs_parse(tmp_path, capsys, no_systemctl):
    parser = argparse.ArgumentParser(prog="kiosk")
    add_service_parser(parser.add_subparsers(dest="verb"))
    config = tmp_path / "kiosk.yaml"
    config.write_text("fullscreen: true\n")
    args = parser.parse_args(["service", "install", "--dry-run", "--unit-dir", str(tmp_path),
                              "--config", str(config)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert f"ExecStart={VENV_KIOSK} run --fullscreen --config {config}\n" in out
    for verb in ("uninstall", "status"):
        args = parser.parse_args(["service", verb, "--unit-dir", str(tmp_path)])
        assert callable(args.func)
    with pytest.raises(SystemExit):
        parser.parse_args(["service"])


def test_a_missing_config_file_is_refused(tmp_path, no_systemctl):
    code, out = run(install, tmp_path, tmp_path / "nope.yaml")
    assert code == 1
    assert "there is no configuration file" in out
    assert not (tmp_path / UNIT_NAME).exists()


def test_install_writes_the_unit_again_and_again_and_uninstall_removes_it(tmp_path,
                                                                         no_systemctl):
    unit_dir = tmp_path / "systemd" / "user"
    code, out = run(install, unit_dir)
    assert code == 0, out
    unit = unit_dir / UNIT_NAME
    assert unit.read_text() == render_unit()
    assert stat.S_IMODE(unit.stat().st_mode) == 0o644
    code, out = run(install, unit_dir)
    assert code == 0 and "already up to date" in out
    assert unit.read_text() == render_unit()
    assert [p.name for p in unit_dir.iterdir() if p.is_file()] == [UNIT_NAME]  # no temp files
    unit.write_text("stale\n")
    assert run(install, unit_dir)[0] == 0
    assert unit.read_text() == render_unit()

    code, out = run(uninstall, unit_dir)
    assert code == 0 and f"Removed: {unit}" in out
    assert not unit.exists()
    assert not (unit_dir / "graphical-session.target.wants" / UNIT_NAME).is_symlink()
    code, out = run(uninstall, unit_dir)
    assert code == 0 and "not installed" in out


def test_without_systemctl_it_says_so_and_prints_the_commands(tmp_path, no_systemctl):
    code, out = run(install, tmp_path)
    assert code == 0
    assert (tmp_path / UNIT_NAME).is_file()
    assert "systemctl is not installed on this machine" in out
    assert "    systemctl --user daemon-reload\n" in out
    assert "    systemctl --user enable --now als-kiosk.service\n" in out
    code, out = run(uninstall, tmp_path)
    assert code == 0 and "systemctl is not installed" in out
    assert "systemctl --user stop als-kiosk.service" in out


def test_without_systemctl_it_enables_the_unit_itself(tmp_path, no_systemctl):
    """As `systemctl --user enable` would: a link in graphical-session.target.wants/, so
    an image prepared without systemd starts the kiosk at its first login."""
    link = tmp_path / "graphical-session.target.wants" / UNIT_NAME
    code, out = run(install, tmp_path)
    assert code == 0
    assert link.is_symlink() and link.resolve() == (tmp_path / UNIT_NAME).resolve()
    assert "enabled, so the kiosk starts with this user's next desktop session" in out
    assert run(install, tmp_path)[0] == 0 and link.is_symlink()
    assert run(install, tmp_path, dry_run=True)[0] == 0 and link.is_symlink()
    code, out = run(uninstall, tmp_path)
    assert code == 0 and not link.is_symlink() and not link.exists()
    assert "    systemctl --user stop als-kiosk.service\n" in out


def test_without_systemd_running_it_says_so(tmp_path, fake_systemctl, monkeypatch):
    monkeypatch.setattr(service, "systemd_running", lambda: False)
    code, out = run(install, tmp_path)
    assert code == 0
    assert "was not started by systemd" in out
    assert fake_systemctl.calls() == []


def test_an_unwritable_unit_folder_fails(tmp_path, no_systemctl):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, out = run(install, blocker / "user")
    assert code == 1
    assert "cannot write" in out


def test_install_enables_and_starts_it_with_systemctl(tmp_path, fake_systemctl):
    code, out = run(install, tmp_path)
    assert code == 0, out
    assert fake_systemctl.calls() == [
        "--user daemon-reload",
        "--user is-active --quiet graphical-session.target",
        "--user enable --now als-kiosk.service",
    ]
    assert "enabled and started" in out


def test_without_a_desktop_session_it_is_enabled_but_not_started(tmp_path, fake_systemctl):
    fake_systemctl.session_inactive()
    code, out = run(install, tmp_path)
    assert code == 0, out
    assert fake_systemctl.calls()[-1] == "--user enable als-kiosk.service"
    assert "was not started" in out


def test_no_start_runs_no_systemctl(tmp_path, fake_systemctl):
    code, out = run(install, tmp_path, start=False)
    assert code == 0
    assert (tmp_path / UNIT_NAME).is_file()
    assert fake_systemctl.calls() == []
    assert "systemctl --user enable --now als-kiosk.service" in out


def test_a_systemctl_failure_is_explained(tmp_path, fake_systemctl):
    fake_systemctl.fail_on("daemon-reload")
    code, out = run(install, tmp_path)
    assert code == 1
    assert "Failed to connect to bus" in out
    assert "The unit file is installed, but systemd did not enable it" in out
    assert (tmp_path / UNIT_NAME).is_file()


def test_uninstall_stops_disables_and_reloads(tmp_path, fake_systemctl):
    run(install, tmp_path, start=False)
    code, out = run(uninstall, tmp_path)
    assert code == 0, out
    assert fake_systemctl.calls() == ["--user disable --now als-kiosk.service",
                                      "--user daemon-reload"]
    assert not (tmp_path / UNIT_NAME).exists()


def test_uninstall_dry_run_changes_nothing(tmp_path, fake_systemctl):
    run(install, tmp_path, start=False)
    code, out = run(uninstall, tmp_path, dry_run=True)
    assert code == 0
    assert "systemctl --user disable --now als-kiosk.service" in out
    assert (tmp_path / UNIT_NAME).is_file()
    assert fake_systemctl.calls() == []


def test_status(tmp_path, fake_systemctl):
    code, out = run(status, tmp_path)
    assert code == 1 and "Not installed" in out
    run(install, tmp_path, start=False)
    code, out = run(status, tmp_path)
    assert code == 0 and "Installed" in out and "differs" not in out
    assert fake_systemctl.calls()[-1] == "--user --no-pager status als-kiosk.service"
    (tmp_path / UNIT_NAME).write_text(render_unit().replace("RestartSec=3", "RestartSec=9"))
    code, out = run(status, tmp_path)
    assert code == 0 and "differs" in out


def test_default_unit_dir_is_the_users_systemd_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert service.default_unit_dir() == tmp_path / "systemd" / "user"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert service.default_unit_dir() == Path.home() / ".config" / "systemd" / "user"


def test_without_the_kiosk_script_it_runs_python_m_kiosk(monkeypatch, tmp_path):
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(tmp_path))
    assert service.kiosk_command() == [os.path.abspath(sys.executable), "-m", "kiosk"]
