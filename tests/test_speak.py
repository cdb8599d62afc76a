"""`kiosk speak`: audio to take home, with a timings file that matches the audio."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from audio_tools import frame_rms, speech_onsets

ROOT = Path(__file__).resolve().parents[1]


def speak(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "speak", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_a_section_becomes_a_wav_with_matching_timings(tmp_path):
    out = tmp_path / "take-home" / "risk.wav"
    out.parent.mkdir()
    result = speak("ninds-als", "who-gets-als", "--out", str(out))
    assert result.returncode == 0, result.stderr
    with wave.open(str(out)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        frames = wav.getnframes()
        pcm = wav.readframes(frames)
    timings = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    duration_ms = 1000 * frames / 22050
    assert abs(timings["duration_ms"] - duration_ms) <= 1
    sentences = timings["sentences"]
    assert sentences[0]["text"] == "Who is more likely to get ALS?"
    assert sentences[0]["spoken"] != sentences[0]["text"]  # ALS is said as letters
    starts = [s["start_ms"] for s in sentences]
    assert starts == sorted(starts) and sentences[-1]["end_ms"] <= duration_ms
    # every sentence that follows a pause begins with sound where the timings say
    onsets = speech_onsets(pcm, 22050, min_gap_ms=150)
    checked = 0
    for sentence in sentences[1:]:
        start = int(sentence["start_ms"] * 22.05) * 2
        if max(frame_rms(pcm[start - 150 * 44:start], 22050)) < 300:
            assert min(abs(o - sentence["start_ms"]) for o in onsets) <= 100, sentence["text"]
            checked += 1
    assert checked >= 0.8 * (len(sentences) - 1)
    words = [w for s in sentences for w in s["words"]]
    assert [w["text"] for w in words[:6]] == ["Who", "is", "more", "likely", "to", "get"]
    assert "Wrote" in result.stderr


def test_a_section_number_works_like_its_id(tmp_path):
    result = speak("webmd-als", "1", "--out", str(tmp_path / "one.wav"), "--rate", "250",
                   "--voice", "GMW/EN")
    assert result.returncode == 0, result.stderr
    timings = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    assert timings["rate_wpm"] == 250 and timings["document"] == "webmd-als"
    assert timings["voice"] == "gmw/en"  # an installed voice, however it is written


def test_unknown_ids_are_rejected_with_the_valid_ones(tmp_path):
    result = speak("nope", "--out", str(tmp_path / "x.wav"))
    assert result.returncode == 2
    assert "no document 'nope'" in result.stderr and "ninds-als" in result.stderr
    result = speak("ninds-als", "nope", "--out", str(tmp_path / "x.wav"))
    assert result.returncode == 2
    assert "'nope' is not a section" in result.stderr and "what-is-als" in result.stderr
    result = speak("ninds-als", "--rate", "900", "--out", str(tmp_path / "x.wav"))
    assert result.returncode == 2 and "80 to 250" in result.stderr
    assert not (tmp_path / "x.wav").exists()


def test_an_unknown_voice_is_refused_with_the_installed_ones(tmp_path):
    result = speak("ninds-als", "2", "--voice", "klingon", "--out", str(tmp_path / "k.wav"))
    assert result.returncode == 2
    assert "--voice 'klingon' is not an installed English voice" in result.stderr
    assert "gmw/en-us (English (America))" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_refused_not_made(tmp_path):
    out = tmp_path / "nonexistent" / "x.wav"
    result = speak("ninds-als", "2", "--out", str(out))
    assert result.returncode == 2
    assert f"the folder {out.parent} does not exist; create it first" in result.stderr
    assert not out.parent.exists()


@pytest.mark.parametrize("name", ["x.mp3", "x", "x.wav.txt"])
def test_a_name_not_ending_in_wav_is_refused(tmp_path, name):
    result = speak("ninds-als", "2", "--out", str(tmp_path / name))
    assert result.returncode == 2
    assert "must end in .wav" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_bad_voice_in_the_configuration_is_said_and_the_default_used(tmp_path):
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"content_dir: {ROOT / 'content'}\nvoice: klingon\n", encoding="utf-8")
    result = speak("webmd-als", "1", "--rate", "250", "--config", str(config), "--out",
                   str(tmp_path / "one.wav"))
    assert result.returncode == 0, result.stderr
    assert "'voice' is 'klingon', which is not an installed English voice" in result.stderr
    timings = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    assert timings["voice"] == "gmw/en-us"
