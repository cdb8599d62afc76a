"""Dwell and switch scanning rules, on an injected clock (no window, no waiting)."""

from __future__ import annotations

import pytest

from kiosk.access import (
    ONE_SWITCH,
    TWO_SWITCH,
    DwellTracker,
    PointerDwell,
    Scanner,
    perimeter_path,
)
from kiosk.keys import key_codes, switch_number

STEP = 0.05
"""The window samples the pointer 20 times a second."""


def rest(tracker: DwellTracker, target, start: float, end: float) -> list:
    """Keep the pointer on ``target`` from ``start`` to ``end``, sampled like the window;
    returns [(time, selected)] for every selection."""
    selections = []
    steps = round((end - start) / STEP)
    for n in range(steps + 1):
        now = start + n * STEP
        selected = tracker.update(target, now)
        if selected is not None:
            selections.append((round(now, 3), selected))
    return selections


# -- dwell -------------------------------------------------------------------------------


def test_dwell_selects_after_start_delay_plus_dwell_time_not_before():
    tracker = DwellTracker()  # 0.25 s start delay, 1.2 s dwell
    assert rest(tracker, "Stop", 0.0, 1.40) == []
    assert tracker.target == "Stop"
    assert tracker.update("Stop", 1.45) == "Stop"


def test_dwell_time_follows_the_setting():
    tracker = DwellTracker(seconds=3.0)
    assert rest(tracker, "Home", 0.0, 3.20) == []
    assert tracker.update("Home", 3.25) == "Home"
    quick = DwellTracker(seconds=0.5)
    assert rest(quick, "Home", 0.0, 1.0)[0] == (0.75, "Home")


def test_progress_stays_empty_for_the_start_delay_then_fills_steadily():
    tracker = DwellTracker()
    rest(tracker, "Louder", 0.0, 0.25)
    assert tracker.progress(0.25) == 0.0  # a pointer passing over a button shows nothing
    rest(tracker, "Louder", 0.30, 0.85)
    assert tracker.progress(0.85) == pytest.approx(0.5)
    samples = []
    for n in range(18, 29):  # 0.9 s to 1.4 s
        now = n * STEP
        tracker.update("Louder", now)
        samples.append(tracker.progress(now))
    steps = [b - a for a, b in zip(samples, samples[1:], strict=False)]
    assert all(step == pytest.approx(STEP / 1.2) for step in steps)  # no jumps
    assert samples[-1] == pytest.approx(1.15 / 1.2)


def test_a_brief_glance_away_keeps_the_dwell():
    tracker = DwellTracker()
    rest(tracker, "Next section", 0.0, 1.0)
    progress = tracker.progress(1.0)
    # the eyes flick off for 0.4 s (to nothing, then to a neighbour) and come back
    assert rest(tracker, None, 1.05, 1.2) == []
    assert rest(tracker, "Contents", 1.25, 1.4) == []
    assert tracker.progress(1.4, "Next section") == pytest.approx(progress)
    assert tracker.update("Next section", 1.45) is None
    # the time away does not count: 1.0 s was done, 0.45 s more is needed
    assert rest(tracker, "Next section", 1.5, 1.85) == []
    assert tracker.update("Next section", 1.9) == "Next section"


def test_a_long_look_away_starts_the_dwell_again():
    tracker = DwellTracker()
    rest(tracker, "Next section", 0.0, 1.0)
    rest(tracker, None, 1.05, 1.6)  # 0.55 s away: longer than the dwell memory
    assert tracker.progress(1.6, "Next section") == 0.0
    assert rest(tracker, "Next section", 1.65, 3.05) == []
    assert tracker.update("Next section", 3.10) == "Next section"


def test_moving_to_another_target_dwells_there_at_once():
    tracker = DwellTracker()
    rest(tracker, "Slower", 0.0, 0.8)
    selections = rest(tracker, "Faster", 0.85, 2.5)
    assert selections == [(2.3, "Faster")]  # 1.45 s after it arrived, not delayed


def test_no_second_selection_until_the_pointer_leaves():
    tracker = DwellTracker()
    assert rest(tracker, "Louder", 0.0, 10.0) == [(1.45, "Louder")]
    assert tracker.progress(10.0, "Louder") == 0.0  # no ring on the button just chosen
    tracker.update(None, 10.05)  # leaves...
    assert rest(tracker, "Louder", 10.1, 12.0) == [(11.55, "Louder")]  # ...and comes back


def test_a_touched_target_is_not_selected_again_by_resting_on_it():
    tracker = DwellTracker()
    rest(tracker, "Read aloud", 0.0, 0.5)
    tracker.block("Read aloud")  # touched: the pointer is still on it
    assert rest(tracker, "Read aloud", 0.55, 5.0) == []
    assert tracker.progress(5.0, "Read aloud") == 0.0
    tracker.update("Stop", 5.05)
    assert rest(tracker, "Read aloud", 5.1, 6.6)[0][1] == "Read aloud"


def test_reset_forgets_the_dwell():
    tracker = DwellTracker()
    rest(tracker, "Home", 0.0, 1.0)
    tracker.reset()
    assert tracker.target is None and tracker.progress(1.0, "Home") == 0.0
    assert rest(tracker, "Home", 1.05, 2.45) == []


def test_shown_lists_the_ring_under_the_pointer_and_the_one_just_left():
    tracker = DwellTracker()
    rest(tracker, "A", 0.0, 1.0)
    rest(tracker, "B", 1.05, 1.5)
    shown = tracker.shown(1.5)
    assert set(shown) == {"A", "B"}
    assert shown["A"] == pytest.approx(0.75 / 1.2)  # frozen while the pointer is away
    rest(tracker, "B", 1.55, 1.7)
    assert set(tracker.shown(1.7)) == {"B"}  # A's memory ran out


def test_dwell_ring_path_runs_clockwise_from_the_top_middle():
    assert perimeter_path(0, 0, 100, 50, 0) == []
    quarter = perimeter_path(0, 0, 100, 50, 0.25)  # 75 of 300 px: across, then down 25
    assert quarter == [50, 50, 100, 50, 100, 25]
    full = perimeter_path(0, 0, 100, 50, 1)
    assert full[:2] == full[-2:] == [50, 50]
    assert len(full) == 12


# -- a resting pointer never chooses -----------------------------------------------------

HOME_BUTTONS = {"NINDS document": (260, 690, 1660, 850), "WebMD document": (260, 500, 1660, 665),
                "Help": (260, 130, 950, 250), "Settings": (970, 130, 1660, 250)}
"""Where Home's buttons are in a 1920x1080 window (left, bottom, right, top)."""
MIDDLE = (960.0, 540.0)
"""Where an X server (Xvfb, a kiosk without a desktop) puts the pointer: on WebMD's button."""


def home_button_at(point) -> str | None:
    x, y = point
    return next((name for name, (left, bottom, right, top) in HOME_BUTTONS.items()
                 if left <= x < right and bottom <= y < top), None)


def pointer_path(dwell: PointerDwell, positions, start: float, end: float) -> list:
    """Sample the pointer like the window from ``start`` to ``end``; ``positions(now)`` says
    where it is (None: the window has not said yet). Returns [(time, chosen)]."""
    chosen = []
    for n in range(round((end - start) / STEP) + 1):
        now = start + n * STEP
        selected = dwell.update(positions(now), home_button_at, now)
        if selected is not None:
            chosen.append((round(now, 3), selected))
    return chosen


def test_a_pointer_resting_on_a_button_when_the_kiosk_starts_never_chooses_it():
    dwell = PointerDwell()  # as the kiosk starts: where the pointer rests is not known yet
    # the window says nothing for a moment, then reports the pointer resting on WebMD
    # (the window's own idea of it jumps there from 0, 0: that is not a movement)
    assert pointer_path(dwell, lambda now: None if now < 0.3 else MIDDLE, 0.0, 30.0) == []
    assert dwell.held and dwell.tracker.shown(30.0) == {}  # no ring either
    # the person moves the pointer 24 px: now resting there chooses, after the dwell time
    moved = (MIDDLE[0] + 24, MIDDLE[1])
    assert pointer_path(dwell, lambda now: moved, 30.05, 31.45) == []
    assert dwell.update(moved, home_button_at, 31.5) == "WebMD document"


def test_the_pointer_must_move_24_px_scaled_to_the_window():
    dwell = PointerDwell()
    jitter = [MIDDLE, (MIDDLE[0] + 23, MIDDLE[1]), (MIDDLE[0], MIDDLE[1] - 23)]
    assert pointer_path(dwell, lambda now: jitter[round(now / STEP) % 3], 0.0, 10.0) == []
    small = PointerDwell()  # a 1366x768 screen: 24 px at 1920x1080 is about 17 px
    for n, at in enumerate([MIDDLE, (MIDDLE[0] + 18, MIDDLE[1])]):
        small.update(at, home_button_at, n * STEP, scale=1366 / 1920)
    assert not small.held


def test_after_a_choice_or_a_new_screen_the_pointer_must_move_again():
    dwell = PointerDwell()
    settings = (1200.0, 200.0)
    dwell.update(MIDDLE, home_button_at, 0.0)
    assert pointer_path(dwell, lambda now: settings, 0.05, 1.5) == [(1.5, "Settings")]
    # Settings opened; the pointer rests where a button of the new screen now is
    assert pointer_path(dwell, lambda now: settings, 1.55, 20.0) == []
    dwell.hold(settings)  # another screen came up (the idle reset going Home, a touch)
    assert pointer_path(dwell, lambda now: (1210.0, 205.0), 20.05, 40.0) == []
    assert pointer_path(dwell, lambda now: (1240.0, 200.0), 40.05, 41.5) == [
        (41.5, "Settings")]


def test_after_the_window_changes_size_the_first_report_is_where_the_pointer_rests():
    dwell = PointerDwell()
    dwell.update((3.0, 3.0), home_button_at, 0.0)
    dwell.update((40.0, 3.0), home_button_at, 0.05)
    assert not dwell.held
    dwell.hold(None)  # the window grew to fill the screen: positions in it shifted
    assert pointer_path(dwell, lambda now: MIDDLE, 0.1, 10.0) == []
    dwell.reset((5.0, 5.0))  # the next visitor
    assert dwell.held and dwell.tracker.target is None


# -- scanning ----------------------------------------------------------------------------

TARGETS = ["Read aloud", "Stop", "Repeat", "Home"]


def test_one_switch_steps_at_the_pace_and_wraps_round():
    scanner = Scanner(pace=1.5, mode=ONE_SWITCH, loops=None)
    scanner.set_targets(TARGETS, 0.0)
    seen = [scanner.current]
    for n in range(1, 70):
        now = n * 0.1
        if scanner.tick(now) is not None:
            seen.append((round(now, 1), scanner.current))
    assert seen == ["Read aloud", (1.5, "Stop"), (3.0, "Repeat"), (4.5, "Home"),
                    (6.0, "Read aloud")]


def test_one_switch_press_selects_the_highlighted_target():
    scanner = Scanner(pace=1.5, mode=ONE_SWITCH)
    scanner.set_targets(TARGETS, 0.0)
    scanner.tick(1.5)
    assert scanner.switch(2.0) == "Stop"
    assert scanner.switch(2.0, which=1) == "Stop"  # any switch selects


def test_the_highlight_waits_for_its_label_to_be_spoken():
    scanner = Scanner(pace=1.5, mode=ONE_SWITCH)
    scanner.set_targets(TARGETS, 0.0)
    assert scanner.tick(1.6, ready=False) is None
    assert scanner.current == "Read aloud"
    assert scanner.tick(2.4, ready=True) == "Stop"
    assert scanner.tick(3.8) is None and scanner.tick(3.9) == "Repeat"  # pace from 2.4


def test_pace_changes_take_effect_from_the_next_step():
    scanner = Scanner(pace=1.5, mode=ONE_SWITCH)
    scanner.set_targets(TARGETS, 0.0)
    scanner.pace = 3.0
    assert scanner.tick(1.5) == "Stop"
    assert scanner.tick(4.4) is None and scanner.tick(4.5) == "Repeat"


def test_new_targets_and_restart_begin_again_at_the_first():
    scanner = Scanner(pace=1.0, mode=ONE_SWITCH)
    scanner.set_targets(TARGETS, 0.0)
    scanner.tick(1.0)
    scanner.tick(2.0)
    assert scanner.current == "Repeat"
    assert not scanner.set_targets(list(TARGETS), 2.5)  # the same targets: carry on
    assert scanner.current == "Repeat"
    assert scanner.set_targets(["Help", "Settings"], 2.5)
    assert scanner.current == "Help"
    assert scanner.tick(3.4) is None and scanner.tick(3.5) == "Settings"
    scanner.restart(3.6)
    assert scanner.current == "Help"


def test_one_switch_rests_after_three_silent_rounds_and_a_press_wakes_it():
    scanner = Scanner(pace=1.0, mode=ONE_SWITCH, loops=3)
    scanner.set_targets(["A", "B"], 0.0)
    for n in range(1, 6):
        scanner.tick(float(n))
    assert scanner.current == "B"  # 2.5 rounds so far
    scanner.tick(6.0)
    assert scanner.current is None and scanner.resting
    assert scanner.tick(60.0) is None
    assert scanner.switch(61.0) is None  # wakes it, selects nothing
    assert scanner.current == "A" and not scanner.resting


def test_two_switches_first_steps_second_selects_and_nothing_moves_by_itself():
    scanner = Scanner(pace=1.5, mode=TWO_SWITCH)
    scanner.set_targets(TARGETS, 0.0)
    assert scanner.tick(100.0) is None
    assert scanner.current == "Read aloud"
    visited = []
    for n in range(5):
        assert scanner.switch(101.0 + n, which=0) is None
        visited.append(scanner.current)
    assert visited == ["Stop", "Repeat", "Home", "Read aloud", "Stop"]  # wraps, never rests
    assert scanner.switch(110.0, which=1) == "Stop"


def test_no_targets_no_highlight():
    scanner = Scanner()
    scanner.set_targets([], 0.0)
    assert scanner.current is None
    assert scanner.tick(5.0) is None and scanner.switch(5.0) is None


# -- switch keys -------------------------------------------------------------------------


def test_switch_key_names_become_kivy_key_codes():
    assert key_codes("space") == (32,)
    assert key_codes("Enter") == (13, 271)
    assert key_codes("f5") == (286,)
    assert key_codes("a") == (97,)
    assert key_codes("1") == (49,)
    assert key_codes("nonsense") == ()


def test_first_switch_key_steps_others_select():
    keys = ("space", "enter", "f12")
    assert switch_number(32, keys) == 0
    assert switch_number(13, keys) == 1
    assert switch_number(293, keys) == 1
    assert switch_number(9, keys) is None
