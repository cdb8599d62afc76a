"""`kiosk hear` and `kiosk models list`, run as a person would: `python -m kiosk ...` in a
subprocess, on WAV files spoken by espeak-ng at test time."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from voice_tools import PYTHON, ROOT, VOICES, say, write_wav

KEYS = {"file", "heard", "intent", "section", "number", "rejected", "ms"}
BARE_TITLES = ("riluzole", "stem cells", "what are the latest updates on als")
"""Titles and aliases said alone: commands on Contents, not on the Reader."""
CHATTER = ["the weather is nice today", "could you pass me the water please",
           "i think i will have some tea later", "my daughter is coming to visit on sunday"]


def kiosk(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(PYTHON), "-m", "kiosk", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def hear(files: list[Path], *options: str, cwd: Path = ROOT) -> tuple[int, list[dict], str]:
    done = kiosk("hear", *map(str, files), "--engine", "pocketsphinx", *options, cwd=cwd)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, [json.loads(line) for line in lines], done.stderr


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def reader_run(tts, tmp_path_factory):
    """One `kiosk hear --document ninds-als` over commands, then chatter, run in an empty
    folder (to see that it writes nothing there)."""
    cwd = tmp_path_factory.mktemp("cwd")
    commands = [say(t, tts) for t in ("open riluzole", "section three", "go to stem cells",
                                       "next section")]
    chatter = [say(t, tts, voice) for t in CHATTER for voice in VOICES]
    alone = [say(t, tts) for t in BARE_TITLES]
    files = commands + chatter + alone
    before = listing(cwd), listing(tts)
    code, results, stderr = hear(files, "--document", "ninds-als", cwd=cwd)
    after = listing(cwd), listing(tts)
    return {"files": files, "code": code, "results": results, "stderr": stderr,
            "before": before, "after": after, "by_file": {r["file"]: r for r in results}}


@pytest.fixture(scope="module")
def home_run(tts):
    commands = [say(t, tts) for t in ("open two", "bigger text")]
    chatter = [say(t, tts, voice) for t in CHATTER for voice in VOICES]
    code, results, stderr = hear(commands + chatter)
    return {"code": code, "results": results, "stderr": stderr,
            "by_file": {r["file"]: r for r in results}}


def test_one_json_object_per_file_with_the_documented_keys(reader_run):
    assert reader_run["code"] == 0, reader_run["stderr"]
    results = reader_run["results"]
    assert [r["file"] for r in results] == [str(f) for f in reader_run["files"]]
    for result in results:
        assert set(result) == KEYS
        assert isinstance(result["heard"], str)
        assert (result["rejected"] is None) == (result["intent"] is not None), result
        assert isinstance(result["ms"], int | float) and 0 <= result["ms"] < 5000
    assert "Traceback" not in reader_run["stderr"]


def test_a_section_is_recognised_by_alias_and_by_number(reader_run, tts):
    by_file = reader_run["by_file"]
    riluzole = by_file[str(say("open riluzole", tts))]
    assert riluzole == {**riluzole, "heard": "open riluzole", "intent": "open",
                        "section": "Treating ALS", "number": 6}
    three = by_file[str(say("section three", tts))]
    assert three == {**three, "heard": "section three", "intent": "open", "section": None,
                     "number": 3}
    stem = by_file[str(say("go to stem cells", tts))]
    assert (stem["intent"], stem["section"], stem["number"]) == ("open", "Stem cells", 14)
    following = by_file[str(say("next section", tts))]
    assert (following["intent"], following["section"], following["number"]) == \
        ("next", None, None)


@pytest.mark.parametrize("title", BARE_TITLES)
def test_a_title_alone_is_no_command_on_the_reader(reader_run, tts, title):
    """Only "open <title>" or "go to <title>" opens a section from the Reader: long titles
    said alone were the commonest false activations on chatter."""
    result = reader_run["by_file"][str(say(title, tts))]
    assert result["intent"] is None, result
    assert result["section"] is None and result["number"] is None


def test_a_title_alone_opens_its_section_on_contents(tts):
    code, results, stderr = hear([say("riluzole", tts)], "--document", "ninds-als",
                                 "--screen", "contents")
    assert code == 0, stderr
    assert [(r["intent"], r["section"]) for r in results] == [("open", "Treating ALS")]


@pytest.mark.parametrize("voice", VOICES)
def test_the_weather_is_not_a_command_on_the_reader(reader_run, tts, voice):
    result = reader_run["by_file"][str(say("the weather is nice today", tts, voice))]
    assert result["intent"] is None, result
    assert result["section"] is None and result["number"] is None


def acted_on(run: dict, tts: Path, sentences: list[str]) -> dict[tuple[str, str], str]:
    """The chatter (sentence, voice) that PocketSphinx turned into a command, and which."""
    results = {(s, v): run["by_file"][str(say(s, tts, v))] for s in sentences for v in VOICES}
    return {key: r["intent"] for key, r in results.items() if r["intent"] is not None}


def test_chatter_is_seldom_a_command_on_the_reader(reader_run, tts):
    """A known weakness of PocketSphinx: some everyday sentences are forced onto 'open'/'go
    to' and a section title or alias and accepted (e.g. 'could you pass me the water please'
    -> 'go to physical therapy'). Measured: 1 of these 6; more is a regression."""
    acted = acted_on(reader_run, tts, CHATTER[1:])
    assert len(acted) <= 1, acted


def test_home_commands(home_run, tts):
    assert home_run["code"] == 0, home_run["stderr"]
    two = home_run["by_file"][str(say("open two", tts))]
    assert (two["intent"], two["number"], two["section"]) == ("open", 2, None)
    bigger = home_run["by_file"][str(say("bigger text", tts))]
    assert bigger["intent"] == "bigger"
    assert "Traceback" not in home_run["stderr"]


def test_chatter_is_seldom_a_command_on_home(home_run, tts):
    """A known weakness of PocketSphinx: on Home (few, short phrases) everyday sentences may
    be forced onto 'what can i say' and accepted as Help. Measured: 1 of these 8; more is a
    regression."""
    acted = acted_on(home_run, tts, CHATTER)
    assert len(acted) <= 1, acted


def test_while_reading_only_stop_and_pause_are_heard(tts):
    files = [say(t, tts) for t in ("stop", "next section", "pause", "open three")]
    code, results, stderr = hear(files, "--document", "ninds-als", "--reading")
    assert code == 0, stderr
    assert [r["intent"] for r in results] == ["stop", None, "pause", None]


def test_a_bad_file_is_reported_and_the_others_still_heard(tts, tmp_path):
    good = say("go back", tts)
    not_wav = tmp_path / "notes.wav"
    not_wav.write_text("this is not audio")
    missing = tmp_path / "missing.wav"
    eight_bit = write_wav(tmp_path / "eight.wav", np.zeros(16000, dtype=np.int16), 16000,
                          width=1)
    last = say("scroll down", tts)
    code, results, stderr = hear([good, not_wav, missing, eight_bit, last], "--document",
                                 "ninds-als")
    assert code == 1
    assert [r["file"] for r in results] == [str(good), str(last)]
    assert [r["intent"] for r in results] == ["previous", "scroll_down"]
    for name, words in (("notes.wav", "not a readable WAV"), ("missing.wav", "no such file"),
                        ("eight.wav", "16-bit")):
        line = next((x for x in stderr.splitlines() if name in x), "")
        assert words in line, stderr
    assert "Traceback" not in stderr


def test_an_unknown_document_exits_2_naming_the_known_ones(tts):
    code, results, stderr = hear([say("stop", tts)], "--document", "no-such-doc")
    assert code == 2
    assert results == []
    assert "no-such-doc" in stderr
    assert "ninds-als" in stderr and "webmd-als" in stderr
    assert "Traceback" not in stderr


def test_hear_writes_no_files(reader_run):
    """"No audio is ever written to disk": not in the folder it runs in, nor beside the
    WAV files it reads."""
    assert reader_run["results"], reader_run["stderr"]
    assert reader_run["after"] == reader_run["before"]


def test_models_list_says_whisper_is_used_and_no_vosk_model_is_there(tmp_path):
    done = kiosk("models", "list", "--dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert str(tmp_path) in done.stdout
    assert "no Vosk model" in done.stdout
    engine_line = next(x for x in done.stdout.splitlines() if x.startswith("Engine:"))
    assert "Whisper tiny.en" in engine_line
    assert listing(tmp_path) == []
