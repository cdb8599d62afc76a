"""Each setting's rule lives once (kiosk/rules.py, carried by config.Settings' fields) and
drives the clinic file's checks, a visitor's steps and what they are told at either end."""

from __future__ import annotations

from dataclasses import fields

import pytest

from kiosk.config import RULES, Settings, rule_of, settings_from_data
from kiosk.rules import SPEECH_RATE, TEXT_SCALES, VOLUME, Rule


def test_every_setting_has_a_rule_and_every_default_keeps_it():
    names = {f.name for f in fields(Settings)} - {"problems"}
    assert set(RULES) == names
    for name, rule in RULES.items():
        default = getattr(Settings, name)
        if default is None or name in ("content_dir", "switch_keys"):
            continue  # (no folder: the user's; paths and key lists are converted)
        assert rule.takes(default) and rule.problem(default) is None, name


@pytest.mark.parametrize("name", [n for n, r in RULES.items() if r.step or
                                  (r.choices and r.most)])
def test_a_visitor_steps_from_end_to_end_and_the_clinic_file_accepts_every_step(name, tmp_path):
    rule = rule_of(name)
    value, seen = getattr(Settings, name), []
    while (value := rule.stepped(value, -1)) is not None:
        seen.append(value)
    value = seen[-1] if seen else getattr(Settings, name)
    lowest = value
    while (value := rule.stepped(value, +1)) is not None:
        seen.append(value)
    for value in [lowest, *seen]:
        assert settings_from_data({name: value}, tmp_path).problems == (), (name, value)
    assert rule.stepped(lowest, -1) is None and rule.at_end(-1)
    assert rule.stepped(max(seen), +1) is None and rule.at_end(+1)


def test_steps_past_a_range_are_refused_by_the_clinic_file_too(tmp_path):
    for name in ("speech_rate", "volume", "dwell_seconds", "scan_seconds"):
        rule = rule_of(name)
        for value in (rule.low - rule.step, rule.high + rule.step):
            (problem,) = settings_from_data({name: value}, tmp_path).problems
            assert f"between {rule.low} and {rule.high}" in problem


def test_speed_and_volume_steps_match_what_people_hear():
    assert SPEECH_RATE.stepped(150, +1) == 170 and SPEECH_RATE.stepped(240, +1) == 250
    assert SPEECH_RATE.stepped(250, +1) is None
    assert SPEECH_RATE.at_end(+1) == "Reading is already as fast as it goes."
    assert VOLUME.stepped(0.2, -1) is None  # never silent
    assert VOLUME.stepped(1, -1) == 0.8  # a whole number from the clinic's file stays a volume
    assert rule_of("text_scale").stepped(1.0, +1) == TEXT_SCALES[2]
    assert rule_of("text_scale").position(1.0) == 1
    assert rule_of("line_spacing").position(1.5) == 1  # (the nearest step: 1.45)


def test_choices_are_named_in_the_message(tmp_path):
    (problem,) = settings_from_data({"theme": "pink"}, tmp_path).problems
    assert "'theme' must be one of dark, light, yellow; using dark" in problem
    assert Rule((str,), ("a", "b")).problem("c") == "one of a, b"
