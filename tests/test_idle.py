"""Kiosk mode logic with a fake clock: idle notice, reset, attract screen, admin gesture, PIN."""

from __future__ import annotations

from kiosk.idle import (
    Change,
    CornerHold,
    IdleWatcher,
    Phase,
    PinEntry,
    PinResult,
    countdown_words,
)
from kiosk.pin import StaffPin


def run(watcher: IdleWatcher, start: float, end: float, reading: bool = False,
        step: float = 0.5) -> list[tuple[float, Change]]:
    """Tick from ``start`` to ``end`` like the app's clock; the changes and when they came."""
    changes = []
    now = start
    while now <= end + 1e-9:
        change = watcher.tick(now, reading)
        if change is not None:
            changes.append((now, change))
        now += step
    return changes


def test_the_notice_comes_after_the_idle_time_and_not_before():
    watcher = IdleWatcher(90, 20, now=0)
    assert run(watcher, 0, 89.5) == []
    assert watcher.phase is Phase.ACTIVE
    assert watcher.tick(90) is Change.ASK
    assert watcher.phase is Phase.ASKING
    assert watcher.seconds_left(90) == 20
    assert watcher.seconds_left(90.5) == 20
    assert watcher.seconds_left(91) == 19
    assert watcher.seconds_left(109.2) == 1


def test_every_input_starts_the_idle_time_again():
    watcher = IdleWatcher(90, 20, now=0)
    run(watcher, 0, 80)
    assert watcher.activity(80) is None  # nothing to answer: just counts as activity
    assert run(watcher, 80.5, 169.5) == []
    assert watcher.tick(170) is Change.ASK


def test_never_while_reading_aloud_and_a_pause_counts_from_when_it_began():
    watcher = IdleWatcher(90, 20, now=0)
    assert run(watcher, 0, 600, reading=True) == []
    assert watcher.phase is Phase.ACTIVE
    # reading stopped or paused at 600: idle from then on
    assert run(watcher, 600.5, 689.5) == []
    assert watcher.tick(690) is Change.ASK


def test_yes_or_a_touch_during_the_notice_carries_on():
    watcher = IdleWatcher(90, 20, now=0)
    run(watcher, 0, 90)
    assert watcher.phase is Phase.ASKING
    assert watcher.activity(105) is Change.CONTINUE
    assert watcher.phase is Phase.ACTIVE
    assert run(watcher, 105, 194.5) == []  # a whole new idle time, no reset
    assert watcher.tick(195) is Change.ASK


def test_nobody_answers_so_it_resets_after_the_notice_time():
    watcher = IdleWatcher(90, 20, now=0)
    changes = run(watcher, 0, 130)
    assert changes == [(90, Change.ASK), (110, Change.RESET)]
    assert watcher.phase is Phase.ATTRACT


def test_the_notice_waits_the_configured_time_while_the_notice_is_read_aloud():
    watcher = IdleWatcher(60, 30, now=0)
    run(watcher, 0, 60)
    # the kiosk saying "Are you still there?" is not a visitor reading: the countdown goes on
    assert run(watcher, 60.5, 95, reading=True) == [(90, Change.RESET)]


def test_the_attract_screen_stays_until_someone_comes():
    watcher = IdleWatcher(90, 20, now=0)
    run(watcher, 0, 110)
    assert watcher.phase is Phase.ATTRACT
    assert run(watcher, 110.5, 5000) == []
    assert watcher.phase is Phase.ATTRACT
    assert watcher.activity(5000) is Change.WAKE
    assert watcher.phase is Phase.ACTIVE
    assert run(watcher, 5000, 5089.5) == []
    assert watcher.tick(5090) is Change.ASK


def test_no_answers_the_notice_by_resetting_at_once():
    watcher = IdleWatcher(90, 20, now=0)
    run(watcher, 0, 90)
    assert watcher.reset(95) is Change.RESET
    assert watcher.phase is Phase.ATTRACT


def test_zero_idle_seconds_turns_the_reset_off_and_ends_a_notice():
    watcher = IdleWatcher(0, 20, now=0)
    assert run(watcher, 0, 10_000, step=10) == []
    watcher = IdleWatcher(90, 20, now=0)
    run(watcher, 0, 90)
    watcher.configure(0, 20)
    assert watcher.phase is Phase.ACTIVE
    assert run(watcher, 90, 500) == []
    watcher.configure(90, 20)  # turned on again: counts from the last tick, not from 0
    assert watcher.tick(500) is None
    assert watcher.tick(590) is Change.ASK


def test_countdown_in_words():
    assert countdown_words(20) == "Starting again for the next person in 20 seconds."
    assert countdown_words(1) == "Starting again for the next person in 1 second."


def test_holding_the_corner_for_five_seconds_opens_the_pin_pad():
    hold = CornerHold()
    finger = object()
    assert hold.down(finger, 40, 30, now=100)
    assert not hold.due(104.9)
    assert hold.due(105)
    assert not hold.due(200), "the same hold fires once"


def test_a_tap_a_swipe_or_a_touch_elsewhere_is_not_the_gesture():
    hold = CornerHold()
    finger = object()
    hold.down(finger, 40, 30, now=0)
    hold.up(finger)  # a tap
    assert not hold.due(10)
    hold.down(finger, 40, 30, now=20)
    hold.move(finger, 400, 30)  # a swipe out of the corner
    assert not hold.due(30)
    assert not hold.down(finger, 960, 540, now=40)  # the middle of the screen
    assert not hold.due(50)
    assert not hold.down(finger, 40, 1000, now=60)  # bottom-left corner
    assert not hold.due(70)


def test_a_small_drift_while_holding_still_counts():
    hold = CornerHold()
    finger = object()
    hold.down(finger, 140, 140, now=0)
    hold.move(finger, 180, 170)  # within the slack around the corner
    assert hold.due(5)


def test_right_pin_opens_wrong_pin_is_refused_and_digits_are_never_shown():
    pin = PinEntry(StaffPin("4817").check)
    for digit in "4817":
        pin.press(digit)
    assert pin.shown() == "\u2022 \u2022 \u2022 \u2022"
    assert not any(digit in pin.shown() for digit in "4817")
    assert pin.check(0) is PinResult.RIGHT
    assert pin.entered == ""
    for digit in "1234":
        pin.press(digit)
    assert pin.check(1) is PinResult.WRONG
    assert pin.entered == ""
    assert pin.check(2) is PinResult.EMPTY


def test_delete_and_at_most_eight_digits():
    pin = PinEntry(StaffPin("20461938").check)
    for digit in "2046193899":
        pin.press(digit)
    assert pin.entered == "20461938"
    pin.delete()
    assert pin.entered == "2046193"
    pin.press("x")
    assert pin.entered == "2046193"


def test_five_wrong_pins_lock_the_pad_for_a_minute():
    pin = PinEntry(StaffPin("4817").check)
    for attempt in range(5):
        pin.press("1")
        assert pin.check(attempt) is PinResult.WRONG
    assert pin.locked_for(5) > 0
    for digit in "4817":
        pin.press(digit)
    assert pin.check(30) is PinResult.LOCKED, "even the right PIN waits out the lock"
    for digit in "4817":
        pin.press(digit)
    assert pin.check(65) is PinResult.RIGHT
