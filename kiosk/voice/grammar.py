"""What can be said on each screen, and what each phrase means (no Kivy here).

The command phrases live in ``commands.yaml`` beside this file. :func:`grammar_for` builds
the :class:`Grammar` of one screen: the intents that do something there, a number for each
numbered button, and the section titles and aliases of the open document (after "open" or
"go to"; alone too where the screen is a list of them, Contents). The same Grammar
gives the engine its phrase list, turns a recognised phrase back into a
:class:`~kiosk.commands.Command`,
and writes the Help lines, so what Help says is exactly what is listened for.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from kiosk.commands import Command, Do
from kiosk.content import Document
from kiosk.voice.pronounce import words_of

COMMANDS_FILE = Path(__file__).with_name("commands.yaml")
_UNITS = "one two three four five six seven eight nine".split()
NUMBER_WORDS = (*_UNITS, *("ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
                           "eighteen nineteen twenty").split(),
                *(f"twenty {unit}" for unit in _UNITS), "thirty",
                *(f"thirty {unit}" for unit in _UNITS), "forty")
"""Numbers one to forty, as said; a screen offers as many as it shows."""
DECOY_NUMBERS = 20
"""Numbers up to this are listened for (as decoys) even where they are not shown."""

@dataclass(frozen=True)
class CommandSet:
    """The contents of commands.yaml."""

    intents: dict[str, tuple[str, ...]]
    number_prefixes: tuple[str, ...]
    title_prefixes: tuple[str, ...]
    barge_in: tuple[str, ...]
    wake_word: str
    screens: dict[str, tuple[str, ...]]


SCREEN_ITEMS = {"numbers", "titles", "titles_alone"}
"""What a screen may offer besides intents (see commands.yaml)."""


@lru_cache(maxsize=4)
def load_commands(path: Path = COMMANDS_FILE) -> CommandSet:
    """Read and check the command phrases; raises ValueError naming what is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML ({error})") from None

    def phrases(value, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(p, str) and p.strip()
                                                  for p in value):
            raise ValueError(f"{path}: '{where}' must be a list of phrases")
        return tuple(" ".join(words_of(str(p))) for p in value)

    if not isinstance(data, dict):
        raise ValueError(f"{path}: must be a mapping with 'intents' and 'screens'")
    intents = {str(name): phrases(value, f"intents.{name}")
               for name, value in (data.get("intents") or {}).items()}
    strangers = sorted(set(intents) - {do.value for do in Do})
    if strangers:
        raise ValueError(f"{path}: {', '.join(strangers)}: not a command the kiosk knows (the "
                         "commands are listed in kiosk/commands.py, Do)")
    names = [*intents, *(n for v in (data.get("screens") or {}).values() for n in v or ())]
    odd = [repr(n) for n in names if not isinstance(n, str)]
    if odd:
        raise ValueError(f"{path}: intent names must be text; put quotes around "
                         f"{', '.join(odd)} (YAML reads bare yes/no as true/false)")
    screens = {name: tuple(value) for name, value in (data.get("screens") or {}).items()}
    for screen, names in screens.items():
        unknown = set(names) - set(intents) - SCREEN_ITEMS
        if unknown:
            raise ValueError(f"{path}: screens.{screen} names unknown intents: "
                             f"{', '.join(sorted(unknown))}")
    barge_in = tuple(data.get("barge_in") or ())
    if set(barge_in) - set(intents):
        raise ValueError(f"{path}: barge_in must name intents")
    return CommandSet(intents, phrases(data.get("number_prefixes") or [], "number_prefixes"),
                      phrases(data.get("title_prefixes") or [], "title_prefixes"), barge_in,
                      str(data.get("wake_word") or "kiosk").lower(), screens)


@dataclass(frozen=True)
class Context:
    """Where the person is: what the grammar depends on."""

    screen: str = "home"
    """home, contents, reader, help or settings."""
    document: Document | None = None
    """The open document, if any."""
    numbers: int = 0
    """How many numbered buttons the screen shows (documents on Home, sections elsewhere)."""
    reading: bool = False
    """The kiosk is speaking: only the barge-in commands are listened for."""
    wake: bool = False
    """Wake-word mode, not yet woken: every phrase must start with the wake word."""
    targets: int = 0
    """How many buttons wear a number ("show numbers"); 0 while numbers are hidden."""


def screen_context(screen: str, document: Document | None, documents: int,
                   reading: bool = False, targets: int = 0) -> Context:
    """The Context of a screen: Home numbers its ``documents``, Contents and the Reader the
    open document's sections, other screens nothing."""
    if screen == "home":
        numbers = documents
    elif document is not None and screen in ("contents", "reader"):
        numbers = len(document.entries)
    else:
        numbers = 0
    return Context(screen, document, numbers, reading, targets=targets)


@dataclass
class Grammar:
    """The phrases one screen listens for, and what each means."""

    meanings: dict[str, Command] = field(default_factory=dict)
    """phrase -> meaning, in the order Help lists them."""
    wake_word: str = ""
    """When set, phrases are heard only after this word (and the word alone wakes)."""
    decoys: tuple[str, ...] = ()
    """Phrases the engine listens for but that mean nothing here: the commands of other
    screens, numbers not shown, and (while the kiosk reads) everything but "stop" and
    "pause"; in wake-word mode also every phrase without the wake word. A grammar forces
    any speech onto one of its phrases; with decoys, "next section" said on Home is heard
    as itself and ignored instead of being forced onto "bigger text"."""
    title_prefixes: dict[str, str] = field(default_factory=dict)
    """Phrase -> the word(s) said before a section's title or alias in it ("go to"), for
    the "open" phrases that have one; Help says how titles are said from these."""

    @property
    def phrases(self) -> list[str]:
        """Every phrase the engine should allow."""
        decoys = [d for d in self.decoys if d not in self.meanings]
        if not self.wake_word:
            return [*self.meanings, *decoys]
        return [self.wake_word, *(f"{self.wake_word} {p}" for p in self.meanings),
                *self.meanings, *decoys]

    def parse(self, text: str) -> Command | None:
        """The meaning of a recognised phrase; None when it is not one of ours."""
        text = " ".join(text.lower().split())
        if self.wake_word:
            if text == self.wake_word:
                return Command("wake")
            if not text.startswith(self.wake_word + " "):
                return None
            text = text[len(self.wake_word) + 1:]
        return self.meanings.get(text)

    def drop(self, phrases: set[str]) -> None:
        """Forget phrases the engine cannot say (words it cannot pronounce)."""
        for phrase in phrases:
            self.meanings.pop(phrase, None)

    def help_lines(self) -> list[tuple[str, list[str]]]:
        """(what it does, [phrases]) for Help: one line per intent; numbers and titles are
        summarised rather than listed one by one."""
        lines: dict[str, list[str]] = {}
        titles: list[str] = []
        numbers: list[int] = []
        pressed: list[int] = []
        prefixes: list[str] = []
        alone = False
        for phrase, meaning in self.meanings.items():
            if meaning.do is Do.ABSENT:
                continue
            if meaning.do is Do.PRESS:
                pressed.append(meaning.number or 0)
            elif meaning.do is Do.OPEN and meaning.title:
                if meaning.title not in titles:
                    titles.append(meaning.title)
                prefix = self.title_prefixes.get(phrase)
                if prefix is None:
                    alone = True
                elif prefix not in prefixes:
                    prefixes.append(prefix)
            elif meaning.do is Do.OPEN:
                numbers.append(meaning.number or 0)
            else:
                lines.setdefault(meaning.describe(), []).append(phrase)
        result = list(lines.items())
        if pressed:
            result.append(("Choose the button with that number",
                           [f"a number from one to {NUMBER_WORDS[max(pressed) - 1]}"]))
        if numbers:
            low, high = min(numbers), max(numbers)
            result.append(("Open a numbered item",
                           [f"a number from {NUMBER_WORDS[low - 1]} to {NUMBER_WORDS[high - 1]}",
                            f"open {NUMBER_WORDS[low - 1]}"]))
        if titles:
            example = titles[0].lower()
            if alone:
                said = f"a section's title, such as \u201c{example}\u201d"
            else:
                after = " or ".join(f"\u201c{p}\u201d" for p in prefixes)
                said = (f"a section's title after {after}, such as "
                        f"\u201c{prefixes[0]} {example}\u201d")
            result.append(("Open a section by name", [said]))
        return result


NOT_DECOYS_WHILE_READING = ("follow",)
"""Intents whose phrases are not decoys while the kiosk reads aloud: with "follow me" among
them PocketSphinx heard espeak-ng's en-us+f2 "pause" as "follow" (following cannot start
while the kiosk reads, so nothing is lost)."""


def grammar_for(context: Context, commands: CommandSet | None = None) -> Grammar:
    """The grammar of one screen (see :class:`Context`)."""
    commands = commands or load_commands()
    meanings: dict[str, Command] = {}

    def add(phrase: str, meaning: Command) -> None:
        if phrase and phrase not in meanings:
            meanings[phrase] = meaning

    offered = commands.screens.get(context.screen, ())
    if context.reading:
        everything = grammar_for(replace(context, reading=False, wake=False), commands)
        offered = tuple(name for name in commands.barge_in if name in offered)
        for name in offered:
            for phrase in commands.intents.get(name, ()):
                add(phrase, Command(name))
        skipped = {p for name in NOT_DECOYS_WHILE_READING for p in commands.intents.get(name, ())}
        decoys = [p for p in everything.phrases if p not in meanings and p not in skipped]
        return Grammar(meanings, "", tuple(decoys))
    for name in offered:
        for phrase in commands.intents.get(name, ()):
            add(phrase, Command(name))
    for number in range(1, min(context.targets, len(NUMBER_WORDS)) + 1):
        add(NUMBER_WORDS[number - 1], Command("press", number=number))
    if "numbers" in offered:
        for number in range(1, min(context.numbers, len(NUMBER_WORDS)) + 1):
            word = NUMBER_WORDS[number - 1]
            add(word, Command("open", number=number))
            for prefix in commands.number_prefixes:
                add(f"{prefix} {word}", Command("open", number=number))
        # With numbers on the buttons, "open N" past the list chooses button N, as N alone.
        for number in range(context.numbers + 1, min(context.targets, DECOY_NUMBERS) + 1):
            for prefix in commands.number_prefixes:
                add(f"{prefix} {NUMBER_WORDS[number - 1]}", Command("press", number=number))
        # A number the screen does not show, after "open" ("open three" on a Home with two
        # documents), is answered as such; without it the nearest phrase would be another
        # number. Alone it stays a decoy (chatter holds many bare numbers).
        for number in range(max(0, context.numbers, context.targets) + 1, DECOY_NUMBERS + 1):
            for prefix in commands.number_prefixes:
                add(f"{prefix} {NUMBER_WORDS[number - 1]}", Command("absent", number=number))
    title_decoys: list[str] = []
    prefixed: dict[str, str] = {}
    if {"titles", "titles_alone"} & set(offered) and context.document is not None:
        # Titles said alone only where the screen lists them (Contents): on the Reader most
        # false activations were long titles and aliases matched to chatter (notes-voice.md).
        # There a title alone is a decoy: heard as itself and ignored.
        alone = "titles_alone" in offered or not commands.title_prefixes
        for entry in context.document.entries:
            section = entry.section
            meaning = Command("open", number=entry.number, section_id=section.id,
                              title=section.title)
            for name in (section.title, *section.aliases):
                phrase = " ".join(words_of(name))
                if alone:
                    add(phrase, meaning)
                else:
                    title_decoys.append(phrase)
                for prefix in commands.title_prefixes:
                    if f"{prefix} {phrase}" not in meanings:
                        prefixed[f"{prefix} {phrase}"] = prefix
                    add(f"{prefix} {phrase}", meaning)
    decoys = [p for phrases in commands.intents.values() for p in phrases]
    decoys += NUMBER_WORDS[:DECOY_NUMBERS]
    decoys += title_decoys
    return Grammar(meanings, commands.wake_word if context.wake else "",
                   tuple(dict.fromkeys(d for d in decoys if d not in meanings)), prefixed)
