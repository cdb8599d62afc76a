"""What can be said on each screen: commands.yaml, grammar_for, parse, Help lines (no audio)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.commands import Command
from kiosk.content import Document, Section, Source, load_library
from kiosk.voice.grammar import (
    COMMANDS_FILE,
    DECOY_NUMBERS,
    NUMBER_WORDS,
    Context,
    Grammar,
    grammar_for,
    load_commands,
)

ROOT = Path(__file__).resolve().parents[1]

# Issue 4: every phrase the Reader must understand, and what it means.
READER_PHRASES = {
    "read aloud": "read", "start reading": "read", "read": "read",
    "stop": "stop", "stop reading": "stop",
    "pause": "pause",
    "resume": "resume", "continue": "resume",
    "next": "next", "next section": "next",
    "back": "previous", "go back": "previous", "previous": "previous",
    "previous section": "previous",
    "home": "home", "go home": "home",
    "contents": "contents", "table of contents": "contents",
    "repeat": "repeat", "say that again": "repeat",
    "faster": "faster", "read faster": "faster",
    "slower": "slower", "slow down": "slower",
    "louder": "louder", "volume up": "louder",
    "quieter": "quieter", "volume down": "quieter",
    "bigger text": "bigger", "zoom in": "bigger",
    "smaller text": "smaller", "zoom out": "smaller",
    "scroll down": "scroll_down", "down": "scroll_down",
    "scroll up": "scroll_up", "up": "scroll_up",
    "help": "help", "what can i say": "help",
    "yes": "yes", "no": "no",
}
READING_INTENTS = {"read", "stop", "pause", "resume", "next", "previous", "home", "contents",
                   "repeat", "faster", "slower"}
HOME_INTENTS = {"help", "bigger", "smaller", "louder", "quieter", "scroll_down", "scroll_up",
                "yes", "no", "show_numbers", "hide_numbers"}


@pytest.fixture(scope="module")
def library():
    return load_library(ROOT / "content")


@pytest.fixture(scope="module")
def ninds(library) -> Document:
    return library.get("ninds-als")


@pytest.fixture(scope="module")
def reader(ninds) -> Grammar:
    return grammar_for(Context("reader", ninds, len(ninds.entries)))


@pytest.fixture(scope="module")
def contents(ninds) -> Grammar:
    return grammar_for(Context("contents", ninds, len(ninds.entries)))


def intents_of(grammar: Grammar) -> set[str]:
    return {m.do for m in grammar.meanings.values()}


# -- commands.yaml -------------------------------------------------------------------------


def test_shipped_commands_load_with_text_intent_names():
    commands = load_commands()
    assert all(isinstance(name, str) for name in commands.intents), commands.intents.keys()
    assert {"yes", "no", "read", "stop", "next", "help"} <= set(commands.intents)
    for screen, names in commands.screens.items():
        assert all(isinstance(n, str) for n in names), (screen, names)
    assert set(commands.barge_in) == {"stop", "pause"}
    assert commands.wake_word == "kiosk"
    assert {"numbers", "titles"} <= set(commands.screens["reader"])
    assert "titles_alone" not in commands.screens["reader"], "titles alone only on Contents"
    assert {"titles", "titles_alone"} <= set(commands.screens["contents"])
    assert "open" in commands.number_prefixes and "section" in commands.number_prefixes
    assert set(commands.title_prefixes) == {"open", "go to"}


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = COMMANDS_FILE.read_text(encoding="utf-8")
    assert old in text, f"the test's anchor {old!r} is no longer in commands.yaml"
    path = tmp_path / "commands.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("  read: [read aloud, start reading, read, read to me]", "  read: read aloud",
     "intents.read"),
    ("  read: [read aloud, start reading, read, read to me]", '  read: ["", read]',
     "intents.read"),
    ("  pause: [pause, pause reading]", "  pause: [pause, 7]", "intents.pause"),
    ("number_prefixes: [open, section, number]", "number_prefixes: open", "number_prefixes"),
    ("title_prefixes: [open, go to]", "title_prefixes: [open, [go, to]]", "title_prefixes"),
    ("  home: [help, bigger,", "  home: [help, fly, bigger,", "fly"),
    ("barge_in: [stop, pause]", "barge_in: [stop, shout]", "barge_in"),
], ids=["not-a-list", "empty-phrase", "number-phrase", "prefixes-not-a-list",
        "nested-prefix", "unknown-intent-on-screen", "unknown-barge-in"])
def test_a_broken_commands_file_gives_a_clear_value_error(tmp_path, old, new, expected):
    path = broken_copy(tmp_path, old, new)
    with pytest.raises(ValueError) as caught:
        load_commands(path)
    message = str(caught.value)
    assert str(path) in message
    assert expected in message


def test_bare_yes_and_no_in_commands_yaml_are_caught(tmp_path):
    """YAML 1.1 reads bare yes/no as booleans; that must not silently make intent True."""
    text = COMMANDS_FILE.read_text(encoding="utf-8")
    text = text.replace('"yes": ["yes"]', 'yes: ["yes"]').replace('"no": ["no"]', 'no: ["no"]')
    path = tmp_path / "commands.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        commands = load_commands(path)
    except ValueError as error:
        assert str(path) in str(error)
    else:  # accepted: then the intents must still be called "yes" and "no"
        assert all(isinstance(name, str) for name in commands.intents)


@pytest.mark.parametrize("text", ["", "- just\n- a list\n", "intents: [read, stop\n",
                                  "intents:\n  read: [read\n  stop: stop]\n: :\n"],
                         ids=["empty", "a-list", "unclosed-bracket", "bad-syntax"])
def test_an_unreadable_commands_file_gives_a_value_error_naming_it(tmp_path, text):
    path = tmp_path / "commands.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="commands.yaml"):
        load_commands(path)


# -- Home ----------------------------------------------------------------------------------


@pytest.mark.parametrize("shown", [0, 1, 2, 5])
def test_home_offers_numbers_up_to_the_documents_shown_and_no_reading(shown):
    grammar = grammar_for(Context("home", None, shown))
    for n in range(1, shown + 1):
        word = NUMBER_WORDS[n - 1]
        for phrase in (word, f"open {word}", f"section {word}"):
            assert grammar.parse(phrase) == Command("open", number=n), phrase
    for n, word in enumerate(NUMBER_WORDS[shown:], start=shown + 1):
        assert grammar.parse(word) is None
        # "open three" with two shown is answered "There is no 3", never another number
        absent = Command("absent", number=n) if n <= DECOY_NUMBERS else None
        assert grammar.parse(f"open {word}") == absent
    assert intents_of(grammar) - {"open", "absent"} == HOME_INTENTS
    assert not intents_of(grammar) & READING_INTENTS
    for phrase in ("read aloud", "stop", "next section", "go home", "contents", "faster"):
        assert grammar.parse(phrase) is None, phrase
        assert phrase in grammar.decoys, "other screens' commands compete as decoys"


def test_with_numbers_on_the_buttons_open_n_chooses_the_button_and_past_them_is_absent():
    """Home with two documents and eight numbered buttons: "open three" chooses button 3,
    as "three" does (it is on the screen), and only "open nine" is answered as absent."""
    grammar = grammar_for(Context("home", None, 2, targets=8))
    assert grammar.parse("open two") == Command("open", number=2)
    for phrase in ("three", "open three", "number three", "open eight"):
        assert grammar.parse(phrase).do == "press", phrase
    assert grammar.parse("open three") == Command("press", number=3)
    assert grammar.parse("open nine") == Command("absent", number=9)


def test_home_ignores_section_titles_even_with_a_document(ninds):
    grammar = grammar_for(Context("home", ninds, 2))
    assert grammar.parse("stem cells") is None
    assert grammar.parse("open riluzole") is None
    assert all(m.section_id is None for m in grammar.meanings.values())


# -- Reader --------------------------------------------------------------------------------


@pytest.mark.parametrize(("phrase", "intent"), sorted(READER_PHRASES.items()))
def test_reader_offers_every_phrase_of_issue_4(reader, phrase, intent):
    assert phrase in reader.phrases
    assert reader.parse(phrase) == Command(intent)


def test_reader_parse_ignores_case_and_spacing(reader):
    assert reader.parse("  Next   SECTION ") == Command("next")
    assert reader.parse("next sections") is None
    assert reader.parse("") is None


def test_reader_offers_every_section_number_alone_and_with_open_or_section(reader, ninds):
    count = len(ninds.entries)
    assert count == 18
    for n in range(1, count + 1):
        word = NUMBER_WORDS[n - 1]
        for phrase in (word, f"open {word}", f"section {word}"):
            assert reader.parse(phrase) == Command("open", number=n), phrase
    assert reader.parse("nineteen") is None
    assert reader.parse("section twenty") == Command("absent", number=20)


SAID_NAMES = [
    ("riluzole", "treating-als"),
    ("treating als", "treating-als"),
    ("stem cells", "stem-cells"),
    ("lou gehrig's disease", "what-is-als"),
    ("what is amyotrophic lateral sclerosis als", "what-is-als"),
    ("rehabilitation therapy and other support", "rehabilitation"),
    ("what's new", "research"),
    ("feeding tube", "nutrition-and-breathing"),
    ("how can i or my loved one help improve care for people with als",
     "helping-improve-care"),
    ("where to get help", "more-information"),
]


def opening(document, section_id: str) -> Command:
    """What "open <the section's title>" means."""
    entry = document.entry(section_id)
    return Command("open", number=entry.number, section_id=section_id, title=entry.section.title)


@pytest.mark.parametrize(("said", "section_id"), SAID_NAMES)
def test_reader_opens_sections_by_title_or_alias_after_open_or_go_to(reader, ninds, said,
                                                                      section_id):
    expected = opening(ninds, section_id)
    for phrase in (f"open {said}", f"go to {said}"):
        assert reader.parse(phrase) == expected, phrase
    # a title or alias alone is no command on the Reader (long titles matched chatter), but
    # it is still listened for, as a decoy: heard as itself and ignored
    assert reader.parse(said) is None
    assert said in reader.decoys and said in reader.phrases


@pytest.mark.parametrize(("said", "section_id"), SAID_NAMES)
def test_contents_opens_sections_by_title_or_alias_alone_too(contents, ninds, said,
                                                             section_id):
    expected = opening(ninds, section_id)
    for phrase in (said, f"open {said}", f"go to {said}"):
        assert contents.parse(phrase) == expected, phrase


@pytest.mark.parametrize("screen", ["reader", "contents"])
def test_every_title_and_alias_of_the_document_is_offered(ninds, screen):
    from kiosk.voice.pronounce import words_of

    grammar = grammar_for(Context(screen, ninds, len(ninds.entries)))
    commands = {p for p, m in grammar.meanings.items() if m.do != "open"}
    for entry in ninds.entries:
        for name in (entry.section.title, *entry.section.aliases):
            phrase = " ".join(words_of(name))
            if screen == "reader":
                assert phrase in grammar.phrases, phrase
                assert phrase in commands or grammar.parse(phrase) is None, phrase
            for said in ((phrase,) if screen == "contents" else ()) + (
                    f"open {phrase}", f"go to {phrase}"):
                meaning = grammar.parse(said)
                assert meaning is not None, said
                if said in commands:
                    continue
                assert meaning.do == "open" and meaning.title is not None, said
                # the first section to claim a name keeps it
                owner = next(e for e in ninds.entries
                             if said.removeprefix("open ").removeprefix("go to ") in
                             {" ".join(words_of(n)) for n in (e.section.title,
                                                               *e.section.aliases)})
                assert meaning.section_id == owner.section.id, said


def document_with_aliases(*aliases: str) -> Document:
    return Document("test", "Test", "the test", Source("Test"), (
        Section("first", "First part"),
        Section("clash", "Clashing names", aliases=aliases),
    ))


def test_a_command_phrase_wins_over_a_section_alias_with_the_same_words():
    document = document_with_aliases("next section", "help", "stop", "one", "zoom in")
    grammar = grammar_for(Context("reader", document, len(document.entries)))
    assert grammar.parse("next section") == Command("next")
    assert grammar.parse("help") == Command("help")
    assert grammar.parse("stop") == Command("stop")
    assert grammar.parse("zoom in") == Command("bigger")
    assert grammar.parse("one") == Command("open", number=1)  # the number button wins
    clash = Command("open", number=2, section_id="clash", title="Clashing names")
    assert grammar.parse("open help") == clash
    assert grammar.parse("go to next section") == clash
    assert grammar.parse("open clashing names") == clash
    assert grammar.parse("clashing names") is None, "titles alone only on Contents"
    listing = grammar_for(Context("contents", document, len(document.entries)))
    assert listing.parse("clashing names") == clash
    assert listing.parse("help") == Command("help")


def test_the_shipped_webmd_alias_help_still_means_help(library):
    webmd = library.get("webmd-als")
    grammar = grammar_for(Context("reader", webmd, len(webmd.entries)))
    assert grammar.parse("help") == Command("help")
    assert grammar.parse("open help").section_id == "finding-support"


# -- while reading, wake word --------------------------------------------------------------


def test_while_reading_only_stop_and_pause_mean_anything(ninds):
    grammar = grammar_for(Context("reader", ninds, len(ninds.entries), reading=True))
    assert intents_of(grammar) == {"stop", "pause"}
    for phrase in ("stop", "stop reading", "pause"):
        assert grammar.parse(phrase) == Command(READER_PHRASES[phrase])
    for phrase in ("next section", "read aloud", "go home", "open three", "three",
                   "stem cells", "open stem cells", "help", "resume", "faster"):
        assert grammar.parse(phrase) is None, phrase
    # the open document's titles, alone and after "open", stay decoys while reading
    for phrase in ("stem cells", "open stem cells", "go to riluzole", "riluzole"):
        assert phrase in grammar.decoys, phrase
    # whatever else the engine listens for (decoys) means nothing while reading
    for phrase in grammar.phrases:
        meaning = grammar.parse(phrase)
        assert meaning is None or meaning.do in {"stop", "pause"}, phrase


def test_reading_home_screen_offers_nothing_to_barge_in_with():
    grammar = grammar_for(Context("home", None, 2, reading=True))
    assert not grammar.meanings


def test_wake_mode_needs_the_wake_word_first(ninds):
    grammar = grammar_for(Context("reader", ninds, len(ninds.entries), wake=True))
    assert grammar.parse("kiosk") == Command("wake")
    assert grammar.parse("kiosk next section") == Command("next")
    assert grammar.parse("Kiosk  STOP") == Command("stop")
    assert grammar.parse("kiosk open three") == Command("open", number=3)
    assert grammar.parse("kiosk open riluzole").section_id == "treating-als"
    assert grammar.parse("kiosk riluzole") is None, "titles alone only on Contents"
    assert grammar.parse("next section") is None
    assert grammar.parse("stop") is None
    assert grammar.parse("kiosks next section") is None
    assert grammar.phrases[0] == "kiosk"
    assert "kiosk next section" in grammar.phrases
    # the bare phrases are decoys: heard as themselves and ignored, not forced onto "kiosk …"
    assert "next section" in grammar.phrases


def test_wake_mode_help_lists_the_commands_without_the_wake_word(ninds):
    awake = grammar_for(Context("reader", ninds, len(ninds.entries)))
    asleep = grammar_for(Context("reader", ninds, len(ninds.entries), wake=True))
    assert asleep.help_lines() == awake.help_lines()


def test_unknown_screen_offers_nothing():
    assert grammar_for(Context("nowhere", None, 3)).meanings == {}


# -- Help ----------------------------------------------------------------------------------


def help_phrases(grammar: Grammar) -> dict[str, list[str]]:
    return dict(grammar.help_lines())


def test_help_lines_list_exactly_the_commands_offered(reader):
    lines = help_phrases(reader)
    listed = {p for what, phrases in lines.items()
              if what not in ("Open a numbered item", "Open a section by name")
              for p in phrases}
    offered = {p for p, m in reader.meanings.items() if m.do not in ("open", "absent")}
    assert listed == offered
    for what, phrases in lines.items():
        if what.startswith("Open a"):
            continue
        for phrase in phrases:
            assert reader.parse(phrase).describe() == what
    assert lines["Next section"] == ["next", "next section"]
    assert lines["Open a numbered item"][0] == "a number from one to eighteen"
    assert "open one" in lines["Open a numbered item"]
    (by_name,) = lines["Open a section by name"]
    assert by_name.startswith("a "), "a description, not a phrase to quote"
    assert "after \u201copen\u201d or \u201cgo to\u201d" in by_name
    assert "\u201copen what is amyotrophic lateral sclerosis" in by_name


def test_help_on_contents_says_titles_can_be_said_alone(contents):
    (by_name,) = help_phrases(contents)["Open a section by name"]
    assert "\u201cwhat is amyotrophic lateral sclerosis" in by_name
    assert "after" not in by_name


def test_help_names_the_title_prefixes_of_commands_yaml(ninds, tmp_path):
    path = broken_copy(tmp_path, "title_prefixes: [open, go to]",
                       "title_prefixes: [show me, go to]")
    commands = load_commands(path)
    grammar = grammar_for(Context("reader", ninds, len(ninds.entries)), commands)
    assert grammar.parse("show me riluzole").section_id == "treating-als"
    assert grammar.parse("open riluzole") is None
    (by_name,) = help_phrases(grammar)["Open a section by name"]
    assert "after \u201cshow me\u201d or \u201cgo to\u201d, such as \u201cshow me " in by_name


def test_without_title_prefixes_titles_are_said_alone(ninds, tmp_path):
    path = broken_copy(tmp_path, "title_prefixes: [open, go to]", "title_prefixes: []")
    grammar = grammar_for(Context("reader", ninds, len(ninds.entries)), load_commands(path))
    assert grammar.parse("riluzole").section_id == "treating-als"


def test_help_on_home_lists_no_reading_commands_and_no_titles():
    lines = help_phrases(grammar_for(Context("home", None, 2)))
    assert "Read aloud" not in lines and "Next section" not in lines
    assert "Stop reading" not in lines and "Open a section by name" not in lines
    assert lines["Open a numbered item"][0] == "a number from one to two"
    assert lines["Yes"] == ["yes"] and lines["No"] == ["no"]
    assert "Help" in lines and "Bigger text" in lines


def test_help_without_numbered_items_has_no_number_line():
    lines = help_phrases(grammar_for(Context("home", None, 0)))
    assert "Open a numbered item" not in lines


def test_help_while_reading_lists_only_stop_and_pause(ninds):
    grammar = grammar_for(Context("reader", ninds, len(ninds.entries), reading=True))
    assert help_phrases(grammar) == {"Stop reading": ["stop", "stop reading"],
                                     "Pause": ["pause", "pause reading"]}


def test_help_leaves_out_dropped_phrases(reader, ninds):
    grammar = grammar_for(Context("reader", ninds, len(ninds.entries)))
    grammar.drop({"help", "what can i say", "open riluzole"})
    assert "Help" not in help_phrases(grammar)
    assert grammar.parse("help") is None and grammar.parse("open riluzole") is None
    assert grammar.parse("go to riluzole").section_id == "treating-als"


# -- Command -------------------------------------------------------------------------------


@pytest.mark.parametrize(("meaning", "words"), [
    (Command("next"), "Next section"),
    (Command("previous"), "Go back"),
    (Command("scroll_down"), "Scroll down"),
    (Command("yes"), "Yes"),
    (Command("open", number=3), "Open 3"),
    (Command("open", number=14, section_id="stem-cells", title="Stem cells"),
     "Open Stem cells"),
    (Command("wake"), "Wake"),
])
def test_meaning_describe(meaning, words):
    assert meaning.describe() == words


@pytest.mark.parametrize("screen", ["home", "contents", "reader", "help", "settings"])
def test_numbers_can_be_shown_and_hidden_on_every_screen(screen):
    grammar = grammar_for(Context(screen, None, 0))
    assert grammar.parse("show numbers") == Command("show_numbers")
    assert grammar.parse("hide numbers") == Command("hide_numbers")


def test_shown_numbers_choose_buttons_and_open_keeps_its_meaning(ninds):
    """With numbers on the buttons, a bare number chooses the button wearing it (up to
    forty); "open N" and "section N" still open item N."""
    shown = len(ninds.entries) + 6
    grammar = grammar_for(Context("contents", ninds, len(ninds.entries), targets=shown))
    assert grammar.parse("seven") == Command("press", number=7)
    last = NUMBER_WORDS[shown - 1]
    assert " " in last, "numbers past twenty are two words"
    assert grammar.parse(last) == Command("press", number=shown)
    assert grammar.parse(NUMBER_WORDS[shown]) is None
    assert grammar.parse("open seven") == Command("open", number=7)
    assert grammar.parse("section seven") == Command("open", number=7)
    (line,) = [phrases for label, phrases in grammar.help_lines() if label.startswith("Choose")]
    assert line == [f"a number from one to {last}"]


def test_without_shown_numbers_bare_numbers_do_not_choose_buttons():
    grammar = grammar_for(Context("settings", None, 0))
    assert grammar.parse("three") is None
    assert "three" in grammar.decoys
    assert "twenty five" not in grammar.phrases, "numbers past twenty only when shown"
