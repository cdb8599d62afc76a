"""Grammar words and their pronunciations for the speech recogniser (no Kivy here).

The voice grammar is built from section titles and aliases. :func:`words_of` says how such a
text is split into grammar words, and :class:`Pronouncer` gives every word one or more
ARPAbet pronunciations ("R IH L UW Z OW L", no stress digits) in the phone set of
PocketSphinx's US English model, so words missing from its dictionary (drug names such as
riluzole) can still be added to the engine:

1. the CMU dictionary's own entries, every variant;
2. acronyms spelled letter by letter ("als" -> "EY EH L EH S"), using the dictionary's
   letter names: the words in :data:`ACRONYMS`, and any word a caller asks to spell (see
   :func:`spelled_words`, which finds the words written in capitals in a text); an acronym
   that is also a dictionary word keeps the word form as a second pronunciation;
3. otherwise espeak-ng's own pronunciation (``espeak-ng -q -x``), its phoneme mnemonics
   mapped to ARPAbet by :data:`ESPEAK_TO_ARPABET`.

Nothing here raises for an unknown word: when no source works (espeak-ng missing, an odd
word) the answer is an empty list and callers leave the word out of the grammar.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

log = logging.getLogger(__name__)

PHONES: frozenset[str] = frozenset(
    "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH "
    "UH UW V W Y Z ZH".split()
)
"""The 39 phones PocketSphinx's en-us acoustic model knows; every pronunciation uses only
these."""

ACRONYMS: frozenset[str] = frozenset(
    {"als", "ct", "emg", "fda", "ftd", "mnd", "mri", "nih", "ninds", "pba", "pls"}
)
"""Words always offered spelled letter by letter, because that is how people say them:
ALS, CT, EMG (electromyography), FDA, FTD (frontotemporal dementia), MND (motor neuron
disease), MRI, NIH, NINDS, PBA (pseudobulbar affect), PLS (primary lateral sclerosis).
Any other word can be spelled on request (``spell=True``)."""

ESPEAK_TO_ARPABET: Mapping[str, str] = MappingProxyType(
    {
        # Vowels: espeak-ng's English phoneme names as ``espeak-ng -x -v en-us`` prints them.
        "a": "AE",  # trap
        "aa": "AE",  # bath (en-us says it like trap)
        "a#": "AH",  # unstressed a: about
        "a2": "AH",
        "A": "AA",  # only before ~ (nasal French vowels: blanc)
        "A:": "AA",  # palm
        "A@": "AA R",  # start
        "0": "AA",  # lot
        "0#": "AA",
        "O": "AO",
        "O:": "AO",  # thought
        "O2": "AO",  # cloth
        "O@": "AO R",  # north
        "o@": "AO R",  # force
        "o": "OW",
        "oU": "OW",  # goat
        "OI": "OY",  # choice
        "aI": "AY",  # price
        "aI@": "AY AH",  # science
        "aI@3": "AY ER",
        "aI3": "AY ER",  # fire
        "aU": "AW",  # mouth
        "aU@": "AW AH",  # allowance
        "aU3": "AW ER",  # hour
        "e": "EH",
        "e@": "EH R",  # square
        "eI": "EY",  # face
        "E": "EH",  # dress
        "E#": "EH",
        "E2": "EH",
        "i": "IY",  # happy
        "i:": "IY",  # fleece
        "i@": "IY AH",  # idea
        "i@3": "IH R",  # near
        "I": "IH",  # kit
        "I#": "IH",  # unstressed i: wanted
        "I2": "IH",  # unstressed i: become
        "I;": "IY",  # i before a vowel: earliest
        "I2;": "IY",  # abbreviate, period
        "IR": "IH R",
        "U": "UH",  # foot
        "U@": "UH R",  # cure
        "u": "UW",
        "u:": "UW",  # goose
        "V": "AH",  # strut
        "VR": "AH R",
        "@": "AH",  # schwa
        "@2": "AH",
        "@5": "AH",
        "@#": "AH",
        "@L": "AH L",  # bottle
        "3": "ER",  # letter
        "3:": "ER",  # nurse
        # Consonants
        "p": "P",
        "b": "B",
        "t": "T",
        "t#": "T",  # flapped t: better
        "t2": "T",
        "d": "D",
        "d#": "D",
        "k": "K",
        "g": "G",
        "f": "F",
        "v": "V",
        "T": "TH",
        "D": "DH",
        "s": "S",
        "z": "Z",
        "S": "SH",
        "Z": "ZH",
        "tS": "CH",
        "dZ": "JH",
        "h": "HH",
        "C": "HH",  # German ich
        "x": "K",  # loch, Bach
        "?": "T",  # glottal stop: button
        "m": "M",
        "m-": "AH M",  # syllabic m
        "n": "N",
        "n-": "AH N",  # syllabic n: button
        "N": "NG",
        "l": "L",
        "l#": "L",
        "l-": "AH L",
        "L": "L",  # dark l after aI@ / aU@: towel
        "r": "R",
        "r-": "R",  # linking r
        "w": "W",
        "j": "Y",
    }
)
"""espeak-ng phoneme mnemonic -> ARPAbet phones. Mnemonics are matched longest first."""

_ESPEAK_IGNORED = frozenset("',%=_|;~:-#2345 ")
"""Stress and length marks, pauses, separators and modifiers that have no phone of their own
when left over after matching mnemonics."""

_ESPEAK_NAMES = sorted(ESPEAK_TO_ARPABET, key=len, reverse=True)
_NEAR_BEFORE_R = re.compile(r"i@(?=[',%=]*r)")

_ORDINAL_WORDS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
    "nine": "ninth", "twelve": "twelfth",
}
_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"))

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'",
                              "`": "'"})
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:(?:st|nd|rd|th|'?s)(?![a-z]))?",
                     re.IGNORECASE)
_SPLIT = re.compile(r"[^\w'.]+|_")
_WORD = re.compile(r"^[a-z']*[a-z][a-z']*$")


def _cardinal(n: int) -> list[str]:
    """A whole number as words: 21 -> ["twenty", "one"]; 1,990 -> one thousand nine ..."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    if n < 1000:
        return [_ONES[n // 100], "hundred"] + (_cardinal(n % 100) if n % 100 else [])
    for size, name in _SCALES:
        if n >= size:
            rest = n % size
            return _cardinal(n // size) + [name] + (_cardinal(rest) if rest else [])
    raise AssertionError("unreachable")


def _ordinal(words: list[str]) -> list[str]:
    """The ordinal of a cardinal's words: ["twenty", "one"] -> ["twenty", "first"]."""
    last = words[-1]
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return words[:-1] + [last]


def number_words(number: str) -> list[str]:
    """How a number written in digits is said: "3" -> ["three"], "1,000" -> ["one",
    "thousand"], "2.5" -> ["two", "point", "five"], "21st" -> ["twenty", "first"], "50s" ->
    ["fifties"].

    Numbers with a leading zero ("007") and very long ones are read digit by digit; years
    are read as other numbers ("1990" -> "one thousand nine hundred ninety")."""
    text = number.lower().replace(",", "").replace("'", "")
    suffix = text[-2:] if text[-2:] in {"st", "nd", "rd", "th"} else ""
    if suffix:
        text = text[:-2]
    plural = text.endswith("s")
    text = text.removesuffix("s")
    whole, _, fraction = text.partition(".")
    if (len(whole) > 1 and whole.startswith("0")) or len(whole) > 12:
        words = [_ONES[int(d)] for d in whole]
    else:
        words = _cardinal(int(whole))
    if fraction:
        words += ["point"] + [_ONES[int(d)] for d in fraction]
    elif suffix:
        words = _ordinal(words)
    if plural:
        last = words[-1]
        words[-1] = last[:-1] + "ies" if last.endswith("y") else \
            last + ("es" if last.endswith("x") else "s")
    return words


def _tokens(text: str) -> list[str]:
    """The words of ``text`` in their original case (see :func:`words_of`)."""
    text = _plain(text)
    text = text.replace("&", " and ").replace("%", " percent ")
    text = _NUMBER.sub(lambda m: " " + " ".join(number_words(m.group())) + " ", text)
    tokens = []
    for piece in _SPLIT.split(text):
        word = piece.replace(".", "").strip("'")
        word = re.sub(r"'{2,}", "'", word)
        if word and any(c.isalpha() for c in word):
            tokens.append(word)
    return tokens


def words_of(text: str) -> list[str]:
    """How a title or alias is split into grammar words.

    Lower case; curly apostrophes become straight ones and possessives stay whole
    ("gehrig's"); hyphens, slashes, dashes and spaces separate words; other punctuation is
    dropped; numbers in digits are written as words ("3" -> "three"), "&" is "and" and "%" is
    "percent". "What is amyotrophic lateral sclerosis (ALS)?" -> ["what", "is",
    "amyotrophic", "lateral", "sclerosis", "als"].
    """
    return [token.lower() for token in _tokens(text)]


def spelled_words(text: str) -> set[str]:
    """The words of ``text`` (lower case, as :func:`words_of` gives them) that are written in
    capitals, two letters or more ("ALS", "EMG", "ALS's"): people spell these aloud."""
    found = set()
    for token in _tokens(text):
        stem = token[:-2] if token.endswith(("'s", "'S")) else token
        letters = [c for c in stem if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            found.add(token.lower())
    return found


def espeak_to_arpabet(mnemonics: str, strict: bool = False) -> list[str]:
    """espeak-ng's phoneme mnemonics for a word (``espeak-ng -x`` output, e.g.
    "r'Ilu:z,oUl") as ARPAbet phones (["R", "IH", "L", "UW", "Z", "OW", "L"]).

    Stress marks and modifiers are dropped, and an "r" right after an r-coloured vowel is
    merged into it, as the CMU dictionary writes them ("h'3:ri" -> HH ER IY). An unknown
    symbol is skipped, or raises ValueError when ``strict``."""
    # Before an r, "i@" is the vowel of "near" (p'i@rI2;@d, period), not the i-schwa of idea.
    mnemonics = _NEAR_BEFORE_R.sub("i@3", mnemonics)
    phones: list[str] = []
    i = 0
    while i < len(mnemonics):
        for name in _ESPEAK_NAMES:
            if mnemonics.startswith(name, i):
                phones.extend(ESPEAK_TO_ARPABET[name].split())
                i += len(name)
                break
        else:
            if mnemonics[i] not in _ESPEAK_IGNORED:
                if strict:
                    raise ValueError(f"unknown espeak-ng phoneme symbol {mnemonics[i]!r} in "
                                     f"{mnemonics!r}")
                log.debug("skipped espeak-ng symbol %r in %r", mnemonics[i], mnemonics)
            i += 1
    merged: list[str] = []
    for phone in phones:
        if phone == "R" and merged and merged[-1] in {"R", "ER"}:
            continue
        merged.append(phone)
    return merged


def _default_dictionary() -> Path:
    """The CMU dictionary bundled with the pocketsphinx package."""
    import pocketsphinx

    return Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"


def _read_dictionary(path: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    """word -> its pronunciations, in file order (variants "word(2)" join "word"), and
    word -> how many entries the file has for it (the decoder numbers variants by these)."""
    entries: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            fields = line.split("#", 1)[0].split()
            if len(fields) < 2:
                continue
            word = re.sub(r"\(\d+\)$", "", fields[0]).lower()
            counts[word] = counts.get(word, 0) + 1
            phones = [p.rstrip("012") for p in fields[1:]]
            if not all(p in PHONES for p in phones):
                continue
            pronunciation = " ".join(phones)
            variants = entries.setdefault(word, [])
            if pronunciation not in variants:
                variants.append(pronunciation)
    return entries, counts


class Pronouncer:
    """Pronunciations for any word, from the CMU dictionary, spelling, or espeak-ng.

    Results are cached; one instance is meant to be shared (not thread-safe while filling
    its caches)."""

    def __init__(
        self,
        dictionary: Path | str | None = None,
        *,
        espeak: str | None = "espeak-ng",
        voice: str = "en-us",
        acronyms: Iterable[str] = ACRONYMS,
    ) -> None:
        """Read the CMU-format ``dictionary`` (default: the one bundled with pocketsphinx).

        ``espeak`` is the espeak-ng program (None: never use it), ``voice`` its voice, and
        ``acronyms`` the words always offered spelled. A dictionary that cannot be read is
        logged and treated as empty."""
        path = Path(dictionary) if dictionary is not None else _default_dictionary()
        try:
            self._entries, self._variants = _read_dictionary(path)
        except OSError as error:
            log.warning("cannot read the pronunciation dictionary %s: %s", path, error)
            self._entries, self._variants = {}, {}
        self._espeak = shutil.which(espeak) if espeak else None
        self._voice = voice
        self.acronyms = frozenset(a.lower() for a in acronyms)
        """The words always offered spelled."""
        self._guesses: dict[str, list[str]] = {}
        self._cache: dict[tuple[str, bool], list[str]] = {}
        self._letters = {letter: self._letter(letter) for letter in "abcdefghijklmnopqrstuvwxyz"}

    def _letter(self, letter: str) -> str:
        """How the letter is named ("a" -> "EY"): the dictionary's "a." entry, else "a"."""
        for key in (letter + ".", letter):
            if self._entries.get(key):
                return self._entries[key][0]
        return ""

    @property
    def has_espeak(self) -> bool:
        """Whether espeak-ng was found, so words outside the dictionary can be guessed."""
        return self._espeak is not None

    def knows(self, word: str) -> bool:
        """Whether ``word`` is in the dictionary."""
        return _clean(word) in self._entries

    def dictionary(self, word: str) -> list[str]:
        """The dictionary's pronunciations of ``word`` (every variant), or []."""
        return list(self._entries.get(_clean(word), []))

    def spell(self, word: str) -> list[str]:
        """``word`` said letter by letter ("als" -> ["EY EH L EH S"]); "als's" ends in
        "IH Z". [] when a letter has no name in the dictionary."""
        word = _clean(word)
        stem, possessive = (word[:-2], True) if word.endswith("'s") else (word, False)
        letters = [c for c in stem if c != "'"]
        if not letters or not all(self._letters.get(c) for c in letters):
            return []
        phones = " ".join(self._letters[c] for c in letters)
        if possessive:
            phones += " IH Z" if phones.split()[-1] in {"S", "Z", "SH", "ZH", "CH", "JH"} \
                else " Z"
        return [phones]

    def guess(self, word: str) -> list[str]:
        """espeak-ng's pronunciation of ``word`` in ARPAbet, or [] without espeak-ng."""
        return self.guess_all([word]).get(_clean(word), [])

    def guess_all(self, words: Iterable[str]) -> dict[str, list[str]]:
        """espeak-ng's pronunciations of many words with one espeak-ng run (cached)."""
        wanted = {_clean(w) for w in words}
        todo = sorted(w for w in wanted if w not in self._guesses and _WORD.match(w))
        if todo and self._espeak:
            for word, mnemonics in zip(todo, self._run_espeak(todo), strict=True):
                phones = espeak_to_arpabet(mnemonics) if mnemonics else []
                self._guesses[word] = [" ".join(phones)] if phones else []
        return {w: list(self._guesses.get(w, [])) for w in wanted}

    def _run_espeak(self, words: list[str]) -> list[str]:
        """espeak-ng's phoneme mnemonics for each word ("" where it failed).

        The words go in one process, one paragraph each, so each comes back on its own
        line; if the lines do not match the words up, each word is asked for separately."""
        lines = self._espeak_lines("\n\n".join(words) + "\n", len(words))
        if lines is not None and len(lines) == len(words):
            return lines
        log.info("espeak-ng answered %s lines for %d words; asking one by one",
                 "no" if lines is None else len(lines), len(words))
        answers = []
        for word in words:
            single = self._espeak_lines(word + "\n", 1)
            answers.append(single[0] if single and len(single) == 1 else "")
        return answers

    def _espeak_lines(self, text: str, count: int) -> list[str] | None:
        """The non-empty lines espeak-ng prints for ``text``, or None when it failed."""
        assert self._espeak is not None
        command = [self._espeak, "-q", "-x", "-v", self._voice, "--stdin"]
        try:
            done = subprocess.run(command, input=text, capture_output=True, text=True,
                                  timeout=20 + count * 0.05, check=True)
        except (OSError, subprocess.SubprocessError) as error:
            log.warning("espeak-ng failed to give phonemes: %s", error)
            return None
        return [line.strip() for line in done.stdout.splitlines() if line.strip()]

    def pronounce(self, word: str, spell: bool | None = None) -> list[str]:
        """Every pronunciation of ``word`` (ARPAbet strings such as "R IH L UW Z OW L").

        ``spell``: True to offer the word letter by letter first (words written in
        capitals), False never, None only for :attr:`acronyms`. Then the dictionary's
        variants; espeak-ng's guess only when there is nothing else. [] when nothing works
        (the caller leaves the word out)."""
        return self.pronounce_all([word], [word] if spell else [],
                                  spell_acronyms=spell is not False)[_clean(word)]

    def pronounce_all(self, words: Iterable[str], spell: Iterable[str] = (),
                      spell_acronyms: bool = True) -> dict[str, list[str]]:
        """:meth:`pronounce` for many words at once, with one espeak-ng run for all of them.

        Words in ``spell`` (and :attr:`acronyms`, with their possessives, when
        ``spell_acronyms``) are offered spelled. Keys are the words cleaned (lower case,
        straight apostrophes)."""
        to_spell = {_clean(w) for w in spell}

        def wants_spelling(word: str) -> bool:
            stem = word[:-2] if word.endswith("'s") else word
            return word in to_spell or (spell_acronyms and stem in self.acronyms)

        keys = {(w, wants_spelling(w)) for w in map(_clean, words)}
        missing = [k for k in keys if k not in self._cache]
        needs_guess = [w for w, s in missing
                       if not self._entries.get(w) and not (s and self.spell(w))]
        guesses = self.guess_all(needs_guess) if needs_guess else {}
        for word, spelled in missing:
            answer = (self.spell(word) if spelled else []) + self.dictionary(word)
            if not answer:
                answer = guesses.get(word) or self.guess(word)
            unique = list(dict.fromkeys(p for p in answer if p))
            self._cache[(word, spelled)] = unique
        return {w: list(self._cache[(w, s)]) for w, s in keys}

    def additions(self, lexicon: Mapping[str, Iterable[str]]) -> list[tuple[str, str]]:
        """What a decoder that loaded this same dictionary must be taught for ``lexicon``
        (word -> pronunciations, as :meth:`lexicon` gives): (key, phones) pairs for
        ``Decoder.add_word(key, phones)``. A new word goes in under its own name; another
        pronunciation of a known word as "word(2)", "word(3)" ..., which the decoder treats
        as the same word ("als(2)" is recognised as "als")."""
        pairs = []
        for word, pronunciations in lexicon.items():
            word = _clean(word)
            known = self._entries.get(word, [])
            number = self._variants.get(word, 0)
            for phones in pronunciations:
                if phones in known:
                    continue
                number += 1
                pairs.append((word if number == 1 else f"{word}({number})", phones))
        return pairs

    def lexicon(self, texts: Iterable[str]) -> dict[str, list[str]]:
        """Every grammar word of ``texts`` (titles, aliases, commands) with its
        pronunciations; words written in capitals are offered spelled too. A word with []
        could not be pronounced and must be left out."""
        texts = list(texts)
        words = [w for text in texts for w in words_of(text)]
        spelled = set().union(*(spelled_words(text) for text in texts)) if texts else set()
        return self.pronounce_all(words, spelled)


def _plain(text: str) -> str:
    """``text`` with compatibility forms folded, accents removed and apostrophes straight."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.translate(_APOSTROPHES)


def _clean(word: str) -> str:
    """A word as the dictionary keys it: lower case, straight apostrophes, no accents."""
    return _plain(word).strip().lower()


def missing_words(texts: Iterable[str], pronouncer: Pronouncer) -> set[str]:
    """The grammar words of ``texts`` that are not in the pronouncer's dictionary."""
    return {w for text in texts for w in words_of(text) if not pronouncer.knows(w)}
