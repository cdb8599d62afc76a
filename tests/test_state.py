"""Navigation: which screen and section a person sees after each action, without a window."""

from __future__ import annotations

import pytest

from kiosk.content import Library, parse_document
from kiosk.state import Action, Intent, Navigator, Screen, View

LEAFLET = """\
id: leaflet
title: Living with ALS
source:
  publisher: ALS Clinic
sections:
  - id: about
    title: About ALS
    blocks:
      - paragraph: ALS affects nerve cells.
    sections:
      - id: causes
        title: Causes
        blocks:
          - paragraph: Most cases have no known cause.
        sections:
          - id: genes
            title: Genes
            blocks:
              - paragraph: Some cases run in families.
  - id: care
    title: Care
    blocks:
      - paragraph: A team helps with daily life.
"""

FACTS = """\
id: facts
title: ALS Facts
source:
  publisher: NINDS
sections:
  - id: one
    title: One
    blocks:
      - paragraph: A single section.
"""


def library(*texts: str) -> Library:
    return Library(documents=[parse_document(t) for t in texts])


@pytest.fixture
def nav() -> Navigator:
    return Navigator(library(LEAFLET, FACTS))


def go(nav: Navigator, intent: Intent, **kwargs) -> View:
    return nav.apply(Action(intent, **kwargs))


def reading(nav: Navigator, number: int) -> View:
    go(nav, Intent.OPEN_DOCUMENT, document_id="leaflet")
    return go(nav, Intent.OPEN_SECTION, number=number)


def test_starts_at_home_with_nothing_open(nav):
    assert nav.view == View(Screen.HOME)
    assert nav.document is None


def test_open_document_shows_its_contents(nav):
    view = go(nav, Intent.OPEN_DOCUMENT, document_id="leaflet")
    assert view == View(Screen.CONTENTS, "leaflet")
    assert nav.document.title == "Living with ALS"


def test_unknown_document_stays_put_with_a_notice(nav):
    view = go(nav, Intent.OPEN_DOCUMENT, document_id="missing")
    assert view.screen is Screen.HOME
    assert view.notice == "That document is not available."


def test_open_section_by_number_shows_the_reader(nav):
    view = reading(nav, 3)
    assert (view.screen, view.section_number) == (Screen.READER, 3)
    assert nav.entry.section.title == "Genes"
    assert nav.entry.depth == 2


def test_open_section_by_id_shows_its_number(nav):
    go(nav, Intent.OPEN_DOCUMENT, document_id="leaflet")
    view = go(nav, Intent.OPEN_SECTION, section_id="care")
    assert (view.screen, view.section_number) == (Screen.READER, 4)
    assert nav.entry.section.title == "Care"


def test_unknown_section_id_gives_a_notice(nav):
    go(nav, Intent.OPEN_DOCUMENT, document_id="leaflet")
    view = go(nav, Intent.OPEN_SECTION, section_id="nope")
    assert view.screen is Screen.CONTENTS
    assert view.notice == "That section is not in this document."


@pytest.mark.parametrize("number", [0, 5, 99])
def test_out_of_range_number_names_the_valid_range(nav, number):
    go(nav, Intent.OPEN_DOCUMENT, document_id="leaflet")
    view = go(nav, Intent.OPEN_SECTION, number=number)
    assert view.screen is Screen.CONTENTS
    assert view.notice == f"There is no section {number}. Sections go from 1 to 4."


def test_open_section_without_a_document_asks_to_choose_one(nav):
    view = go(nav, Intent.OPEN_SECTION, number=1)
    assert view.screen is Screen.HOME
    assert view.notice == "Choose a document first."


def test_next_and_previous_follow_reading_order_through_nested_sections(nav):
    reading(nav, 1)
    titles = []
    for _ in range(3):
        go(nav, Intent.NEXT)
        titles.append(nav.entry.section.title)
    assert titles == ["Causes", "Genes", "Care"]
    go(nav, Intent.PREVIOUS)
    assert nav.entry.section.title == "Genes"
    assert nav.entry.parent.title == "Causes"


def test_previous_at_the_first_section_says_so_and_stays(nav):
    reading(nav, 1)
    view = go(nav, Intent.PREVIOUS)
    assert view == View(Screen.READER, "leaflet", 1, "This is the first section.")


def test_next_at_the_last_section_says_so_and_stays(nav):
    reading(nav, 4)
    view = go(nav, Intent.NEXT)
    assert view == View(Screen.READER, "leaflet", 4, "This is the last section.")


def test_notice_clears_on_the_next_move(nav):
    reading(nav, 4)
    go(nav, Intent.NEXT)
    assert go(nav, Intent.PREVIOUS).notice == ""


def test_next_from_contents_starts_at_section_one(nav):
    go(nav, Intent.OPEN_DOCUMENT, document_id="leaflet")
    view = go(nav, Intent.NEXT)
    assert (view.screen, view.section_number) == (Screen.READER, 1)


def test_next_from_contents_continues_at_the_current_section(nav):
    reading(nav, 3)
    assert go(nav, Intent.CONTENTS) == View(Screen.CONTENTS, "leaflet", 3)
    view = go(nav, Intent.NEXT)
    assert (view.screen, view.section_number) == (Screen.READER, 3)


def test_next_with_no_document_asks_to_choose_one(nav):
    assert go(nav, Intent.NEXT).notice == "Choose a document first."


def test_contents_without_a_document_asks_to_choose_one(nav):
    view = go(nav, Intent.CONTENTS)
    assert view.screen is Screen.HOME
    assert view.notice == "Choose a document first."


def test_home_closes_the_document(nav):
    reading(nav, 2)
    assert go(nav, Intent.HOME) == View(Screen.HOME)


def test_help_then_back_returns_to_the_same_section(nav):
    reading(nav, 3)
    help_view = go(nav, Intent.HELP)
    assert help_view.screen is Screen.HELP
    assert go(nav, Intent.BACK) == View(Screen.READER, "leaflet", 3)


def test_settings_then_back_returns_to_contents(nav):
    go(nav, Intent.OPEN_DOCUMENT, document_id="leaflet")
    assert go(nav, Intent.SETTINGS).screen is Screen.SETTINGS
    assert go(nav, Intent.BACK) == View(Screen.CONTENTS, "leaflet")


def test_back_retraces_each_step_then_stays_home(nav):
    reading(nav, 2)
    go(nav, Intent.NEXT)
    screens = [(v.screen, v.section_number) for v in (go(nav, Intent.BACK) for _ in range(4))]
    assert screens == [
        (Screen.READER, 2),
        (Screen.CONTENTS, None),
        (Screen.HOME, None),
        (Screen.HOME, None),
    ]


def test_a_notice_is_not_a_step_to_go_back_to(nav):
    reading(nav, 4)
    go(nav, Intent.NEXT)  # "This is the last section."
    assert go(nav, Intent.BACK) == View(Screen.CONTENTS, "leaflet")


def test_subscribers_see_every_view(nav):
    seen: list[View] = []
    nav.subscribe(seen.append)
    reading(nav, 1)
    go(nav, Intent.PREVIOUS)
    nav.reset()
    assert [(v.screen, v.section_number, v.notice) for v in seen] == [
        (Screen.CONTENTS, None, ""),
        (Screen.READER, 1, ""),
        (Screen.READER, 1, "This is the first section."),
        (Screen.HOME, None, ""),
    ]


def test_reset_returns_home_and_forgets_history(nav):
    reading(nav, 2)
    assert nav.reset() == View(Screen.HOME)
    assert go(nav, Intent.BACK) == View(Screen.HOME)


def test_reload_without_the_open_document_returns_home(nav):
    reading(nav, 2)
    view = nav.set_library(library(FACTS))
    assert view == View(Screen.HOME)
    assert go(nav, Intent.BACK) == View(Screen.HOME)


def test_reload_keeps_the_open_section_when_it_is_still_there(nav):
    reading(nav, 2)
    assert nav.set_library(library(LEAFLET)) == View(Screen.READER, "leaflet", 2)


def test_reload_tells_observers_even_when_the_view_stays(nav):
    """The open section's words may have changed: Read aloud must rebuild its script."""
    reading(nav, 2)
    seen: list[View] = []
    nav.subscribe(seen.append)
    edited = library(LEAFLET.replace("Most cases have no known cause.", "Edited."))
    nav.set_library(edited)
    assert seen == [View(Screen.READER, "leaflet", 2)]
    assert nav.entry.section.blocks[0].text.text == "Edited."


def test_reload_that_removes_the_open_section_shows_contents_and_next_starts_over(nav):
    reading(nav, 4)
    shorter = LEAFLET.split("  - id: care")[0]
    view = nav.set_library(library(shorter, FACTS))
    assert view == View(Screen.CONTENTS, "leaflet")
    view = go(nav, Intent.NEXT)
    assert (view.screen, view.section_number) == (Screen.READER, 1)
    assert nav.entry.section.title == "About ALS"


def test_back_skips_sections_removed_by_a_reload(nav):
    reading(nav, 4)
    nav.set_library(library(LEAFLET.split("  - id: care")[0]))
    assert go(nav, Intent.BACK) == View(Screen.CONTENTS, "leaflet")
