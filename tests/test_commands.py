"""The command core: what each command does to a visitor's navigation and what else it asks
for, without a window (every input, voice, keys, buttons, dwell, scanning, goes through it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.commands import (
    LABELS,
    NAVIGATION,
    READER_KEYS,
    READING,
    Command,
    Do,
    Outcome,
    Visit,
)
from kiosk.content import load_library
from kiosk.speech.narrator import State
from kiosk.state import Navigator, Screen
from kiosk.voice.grammar import load_commands

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def library():
    return load_library(ROOT / "content")


@pytest.fixture
def visit(library) -> Visit:
    return Visit(Navigator(library))


def on_reader(visit: Visit, number: int = 2) -> None:
    visit.apply(Command(Do.OPEN, number=1))
    visit.apply(Command(Do.OPEN, number=number))
    assert visit.navigator.view.screen is Screen.READER


def test_every_command_has_words_and_a_plain_string_names_it():
    assert set(LABELS) == set(Do)
    assert Command("stop") == Command(Do.STOP)
    assert Command("stop").do is Do.STOP
    with pytest.raises(ValueError):
        Command("fly")


def test_every_phrase_of_commands_yaml_means_a_command():
    assert set(load_commands().intents) <= {do.value for do in Do}


def test_commands_yaml_naming_an_unknown_command_says_so(tmp_path):
    path = tmp_path / "commands.yaml"
    path.write_text("intents:\n  fly: [fly away]\nscreens:\n  home: [fly]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="fly: not a command the kiosk knows"):
        load_commands(path)


@pytest.mark.parametrize("screen", ["home", "contents", "reader", "help", "settings"])
def test_every_command_can_be_given_on_every_screen(library, screen):
    """No command raises anywhere; each says what was done."""
    for do in Do:
        for state in State:
            visit = Visit(Navigator(library))
            if screen != "home":
                on_reader(visit)
            if screen in ("contents", "help", "settings"):
                visit.apply(Command(Do(screen)))
            outcome = visit.apply(Command(do, number=1), state)
            assert isinstance(outcome, Outcome) and outcome.done, (do, state)


def test_read_aloud_starts_or_goes_on_and_never_pauses(visit):
    on_reader(visit)
    assert visit.apply(Command(Do.READ), State.IDLE) == Outcome("Reading", Do.TOGGLE)
    assert visit.apply(Command(Do.READ), State.PAUSED) == Outcome("Reading on", Do.TOGGLE)
    assert visit.apply(Command(Do.RESUME), State.WAITING).reading is Do.TOGGLE
    assert visit.apply(Command(Do.READ), State.READING) == Outcome("Reading on")


def test_pause_pauses_only_what_is_being_read(visit):
    assert visit.apply(Command(Do.PAUSE), State.READING).reading is Do.TOGGLE
    assert visit.apply(Command(Do.PAUSE), State.PAUSED).reading is None
    assert visit.apply(Command(Do.PAUSE), State.IDLE).reading is None


def test_reading_steps_and_reader_keys(visit):
    for do in READING:
        assert visit.apply(Command(do)).reading is do
    assert READER_KEYS["r"] is Do.TOGGLE and READER_KEYS["+"] is Do.FASTER
    assert all(do in READING for do in READER_KEYS.values())


def test_previous_is_the_section_before_on_the_reader_and_back_elsewhere(visit):
    on_reader(visit, 3)
    assert visit.apply(Command(Do.PREVIOUS)).done == "Go back"
    assert visit.navigator.view.section_number == 2
    visit.apply(Command(Do.HELP))
    assert visit.apply(Command(Do.PREVIOUS)).done == "Back"
    assert visit.navigator.view.screen is Screen.READER


def test_navigation_commands_move_the_view(visit):
    for do, screen in ((Do.HELP, Screen.HELP), (Do.SETTINGS, Screen.SETTINGS),
                       (Do.HOME, Screen.HOME)):
        visit.apply(Command(do))
        assert visit.navigator.view.screen is screen
    assert set(NAVIGATION) == {Do.NEXT, Do.BACK, Do.HOME, Do.CONTENTS, Do.HELP, Do.SETTINGS}


def test_a_number_opens_a_document_on_home_and_a_section_elsewhere(visit, library):
    first = library.documents[0]
    assert visit.apply(Command(Do.OPEN, number=1)).done == f"Opened {first.title}"
    assert visit.navigator.view.screen is Screen.CONTENTS
    assert visit.apply(Command(Do.OPEN, number=3)).done == "Section 3"
    assert visit.navigator.view.section_number == 3


def test_a_document_number_home_does_not_show_does_nothing(visit, library):
    outcome = visit.apply(Command(Do.OPEN, number=len(library.documents) + 1))
    assert outcome.done == "No such document"
    assert visit.navigator.view.screen is Screen.HOME


def test_buttons_open_a_document_by_its_id_and_voice_a_section_by_its_title(visit, library):
    document = library.documents[1]
    assert visit.apply(Command(Do.OPEN, document_id=document.id)).done == \
        f"Opened {document.title}"
    entry = document.entries[4]
    outcome = visit.apply(Command(Do.OPEN, number=entry.number, section_id=entry.section.id,
                                  title=entry.section.title))
    assert outcome.done == f"Section {entry.number}, {entry.section.title}"
    assert visit.navigator.entry == entry


def test_display_commands_ask_the_screen_for_a_step(visit):
    assert visit.apply(Command(Do.BIGGER)).text_size == 1
    assert visit.apply(Command(Do.SMALLER)).text_size == -1
    assert visit.apply(Command(Do.SCROLL_DOWN)).scroll == 1
    assert visit.apply(Command(Do.SCROLL_UP)).scroll == -1
    assert visit.apply(Command(Do.SHOW_NUMBERS)).numbers_shown is True
    assert visit.apply(Command(Do.HIDE_NUMBERS)) == Outcome("Numbers hidden",
                                                            numbers_shown=False)
    assert visit.apply(Command(Do.PRESS, number=4)).press == 4


def test_yes_and_no_answer_and_an_absent_number_is_said(visit):
    assert visit.apply(Command(Do.YES)).answer is Do.YES
    assert visit.apply(Command(Do.NO)).answer is Do.NO
    outcome = visit.apply(Command(Do.ABSENT, number=3))
    assert outcome.say == "There is no 3 on this screen."
    assert visit.navigator.view.screen is Screen.HOME


def test_follow_my_reading_starts_on_the_reader_only(visit):
    home = visit.apply(Command(Do.FOLLOW))
    assert home.follow is None and "Open a section" in home.say
    on_reader(visit)
    assert visit.apply(Command(Do.FOLLOW)).follow is True


@pytest.mark.parametrize("do", [Do.TOGGLE, Do.STOP, Do.PAUSE])
def test_while_following_the_read_button_stop_and_pause_end_it_and_read_nothing(visit, do):
    on_reader(visit)
    outcome = visit.apply(Command(do), State.IDLE, following=True)
    assert outcome == Outcome("Stopped following", follow=False)
    assert visit.apply(Command(do), State.IDLE).follow is None  # (not following: as ever)


def test_while_following_read_aloud_ends_it_and_reads_and_navigation_keeps_it(visit):
    on_reader(visit)
    read = visit.apply(Command(Do.READ), State.IDLE, following=True)
    assert (read.follow, read.reading) == (False, Do.TOGGLE)
    step = visit.apply(Command(Do.NEXT_SENTENCE), State.IDLE, following=True)
    assert (step.follow, step.reading) == (False, Do.NEXT_SENTENCE)
    section = visit.navigator.view.section_number
    moved = visit.apply(Command(Do.NEXT), State.IDLE, following=True)
    assert moved.follow is None and visit.navigator.view.section_number == section + 1
