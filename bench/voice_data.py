"""Test material for bench/voice.py: what is said, by which voices, and the noise it is said in.

Nothing here is stored as audio: bench/voice.py synthesises everything at run time with
espeak-ng into a temporary folder and deletes it at the end.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import numpy as np

from kiosk.commands import Command
from kiosk.content import Document
from kiosk.speech.lexicon import Lexicon
from kiosk.speech.script import build_script
from kiosk.voice.grammar import DECOY_NUMBERS, NUMBER_WORDS, load_commands
from kiosk.voice.pronounce import ACRONYMS, words_of

VOICES = ("en-us+klatt2", "en-us+f2", "en-gb+f2", "en-us", "en-us+klatt4")
"""The people saying the commands and the non-command sentences."""
SPEEDS = (100, 130, 160, 190)
"""Their speaking rates, words per minute (commands). The slowest also pauses between words
(WORD_GAPS), like the slow, effortful speech of many people with ALS."""
WORD_GAPS = {100: 15}
"""Speed -> extra pause between words, in espeak-ng's units of 10 ms."""
SENTENCE_SPEED = 160
"""Rate of the non-command sentences."""
BABBLE_VOICES = ("en-us+m3", "en-gb+f4", "en-us+m7", "gmw/en-GB-x-rp+f1")
"""The other people talking in the babble (none of them is a VOICES voice)."""
TITLE_NAMES = 10
"""Section titles and aliases sampled per document (each said after "open" and after "go to":
on the Reader a title alone is not a command)."""
DOC_SENTENCES = 20
"""Sentences taken from each document as non-command speech."""
SEED = 4

CHATTER = (
    "Do you know how long the wait is today?",
    "I think my appointment was at half past ten.",
    "Can you pass me that magazine, please?",
    "The parking here is always a nightmare.",
    "Did you remember to bring the insurance card?",
    "My sister is coming to pick us up later.",
    "It's cold in here, isn't it?",
    "I'll go and get us some coffee from the machine.",
    "We should stop at the pharmacy on the way home.",
    "Have they called your name yet?",
    "The nurse said it would only be a few more minutes.",
    "I need to use the restroom, I'll be right back.",
    "How was the traffic on the way in?",
    "Look at the rain coming down outside.",
    "Could you help me with my jacket?",
    "The kids have a football game on Saturday.",
    "I forgot my reading glasses in the car.",
    "Is that the new doctor over there?",
    "Let's sit a bit closer to the window.",
    "My phone battery is almost dead.",
    "They moved the clinic to the second floor last year.",
    "What time does the cafeteria close?",
    "I haven't slept well all week.",
    "Next time we should come a little earlier.",
    "Can you turn the volume down on your phone?",
    "Thank you so much for driving me today.",
    "The form asks for a list of all my medicines.",
    "I'm going to call your brother after this.",
    "Yes, I think that's the right room.",
    "No, we were here before them.",
    "Would you like a glass of water?",
    "That television is far too loud.",
    "She said to keep reading the leaflet while we wait.",
    "Our neighbour's dog barked all night again.",
    "I'll read the questions to you if you like.",
    "We can go back to the car if you get tired.",
    "The receptionist needs your date of birth.",
    "Please speak a little slower, I can't hear you.",
    "Grandma sends her love and says get well soon.",
    "Are we supposed to check in at the front desk again?",
)
"""Waiting-room talk: some of it uses command words inside longer sentences, as people do."""


@dataclass(frozen=True)
class Item:
    """One thing said to the kiosk."""

    kind: str
    """intent, number, title (commands) or chatter, document (non-command speech)."""
    text: str
    """What the voice says (espeak-ng input)."""
    phrase: str
    """The grammar phrase (commands) or the sentence (non-command), for the report."""
    document: str
    """Id of the document whose Reader is on screen."""
    numbers: int
    """Numbered items on that screen."""
    expected: Command | None = None
    """What a command should do; None for non-command speech."""

    @property
    def command(self) -> bool:
        return self.expected is not None


def say(name: str) -> str:
    """A title or alias as a person says it: acronyms letter by letter."""
    out = []
    for word in re.split(r"(\s+)", name.replace("\u2019", "'")):
        bare = re.sub(r"[^\w']", "", word).lower()
        if bare in ACRONYMS:
            out.append(" ".join(bare.upper()) + word[len(word.rstrip("?.,!)")):])
        else:
            out.append(word)
    return "".join(out)


def command_items(documents: list[Document]) -> list[Item]:
    """Every intent phrase, numbers one to twenty alone and after "open"/"section" (on a
    Reader showing twenty numbered items), and a sample of each document's titles and
    aliases after "open"/"go to" (on that document's Reader, where a title alone is not a
    command)."""
    commands = load_commands()
    first = documents[0]
    items: list[Item] = []
    for intent in commands.screens["reader"]:
        for phrase in commands.intents.get(intent, ()):
            items.append(Item("intent", phrase, phrase, first.id, 20, Command(intent)))
    for n, word in enumerate(NUMBER_WORDS[:DECOY_NUMBERS], start=1):
        for prefix in ("", "open ", "section "):
            items.append(Item("number", prefix + word, prefix + word, first.id, 20,
                              Command("open", number=n)))
    rng = random.Random(SEED)
    intent_phrases = {p for phrases in commands.intents.values() for p in phrases}
    for document in documents:
        titles = [(e.section.title, e) for e in document.entries]
        aliases = [(a, e) for e in document.entries for a in e.section.aliases
                   if " ".join(words_of(a)) not in intent_phrases]
        half = TITLE_NAMES // 2
        chosen = rng.sample(titles, half) + rng.sample(aliases, TITLE_NAMES - half)
        for name, entry in chosen:
            phrase = " ".join(words_of(name))
            meaning = Command("open", number=entry.number, section_id=entry.section.id,
                              title=entry.section.title)
            for prefix in ("open ", "go to "):
                items.append(Item("title", prefix + say(name), prefix + phrase, document.id,
                                  len(document.entries), meaning))
    return items


def sentence_items(documents: list[Document], lexicon: Lexicon) -> list[Item]:
    """The chatter, and sentences read out of the documents (5 to 25 words each), each
    said on the Reader (chatter alternates between the documents)."""
    items = [Item("chatter", text, text, documents[n % len(documents)].id,
                  len(documents[n % len(documents)].entries))
             for n, text in enumerate(CHATTER)]
    rng = random.Random(SEED + 1)
    for document in documents:
        sentences = [u.spoken.text for e in document.entries for u in build_script(e, lexicon)
                     if 5 <= len(u.spoken.text.split()) <= 25]
        for text in rng.sample(sentences, min(DOC_SENTENCES, len(sentences))):
            items.append(Item("document", text, text, document.id, len(document.entries)))
    return items


# -- noise ---------------------------------------------------------------------------------

def pink_noise(seconds: float, rate: int = 16_000, seed: int = SEED) -> np.ndarray:
    """1/f (pink) noise: white noise shaped in the frequency domain; unit RMS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / rate)
    freqs[0] = freqs[1]
    noise = np.fft.irfft(spectrum / np.sqrt(freqs), n)
    return noise / np.sqrt(np.mean(noise ** 2))


def active_rms(x: np.ndarray, rate: int = 16_000) -> float:
    """RMS of the active part of speech: 20 ms frames within 30 dB of the loudest one."""
    frame = rate // 50
    usable = x[: x.size // frame * frame].reshape(-1, frame)
    if usable.size == 0:
        return float(np.sqrt(np.mean(x ** 2))) if x.size else 0.0
    power = np.mean(usable ** 2, axis=1)
    active = power[power >= power.max() * 1e-3]
    return float(np.sqrt(np.mean(active)))


def speech_end(x: np.ndarray, rate: int = 16_000) -> int:
    """The sample where speech ends: the end of the last 10 ms frame within 40 dB of the
    active level."""
    frame = rate // 100
    level = active_rms(x, rate)
    usable = x[: x.size // frame * frame].reshape(-1, frame)
    loud = np.nonzero(np.sqrt(np.mean(usable ** 2, axis=1)) >= level * 0.01)[0]
    return int((loud[-1] + 1) * frame) if loud.size else x.size


def mix(speech: np.ndarray, noise: np.ndarray | None, snr_db: float, level_dbfs: float,
        pad_s: float, rng: np.random.Generator, rate: int = 16_000
        ) -> tuple[np.ndarray, int]:
    """Speech at ``level_dbfs`` (active level) with ``pad_s`` of room before and after, and
    ``noise`` (a long unit-RMS track; a random stretch of it) at ``snr_db`` below the active
    speech. Returns int16 samples and the sample where the speech ends."""
    speech = speech * (10 ** (level_dbfs / 20) * 32768 / max(active_rms(speech), 1e-9))
    pad = int(pad_s * rate)
    out = np.concatenate([np.zeros(pad), speech, np.zeros(pad)])
    end = pad + speech_end(speech)
    if noise is not None:
        if noise.size <= out.size:  # a long recording: the track over and over
            noise = np.tile(noise, out.size // noise.size + 2)
        start = int(rng.integers(0, noise.size - out.size))
        stretch = noise[start:start + out.size]
        stretch = stretch / max(np.sqrt(np.mean(stretch ** 2)), 1e-9)
        out += stretch * (10 ** ((level_dbfs - snr_db) / 20) * 32768)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16), end
