"""Replay rejection rules on the decodings bench/voice.py kept with ``--dump``, without
decoding again: how many commands each rule keeps and how many false activations it lets
through, per condition, and on the kiosk's own reading.

    .venv/bin/python bench/voice.py --dump /tmp/voice.json
    .venv/bin/python bench/voice_rules.py /tmp/voice.json

The rules are the general kind ``Recogniser.judge`` can apply (how much of the speech the
recognised words cover, how much is left over, how long the speech is for the phrase);
never lists of phrases. "own" gives the accepted utterances of the kiosk's own reading:
not reading (other kiosk), reading without and with the own-voice guard.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from kiosk.voice.pronounce import words_of

sys.path.insert(0, str(Path(__file__).resolve().parent))
from voice_data import WORD_GAPS  # noqa: E402

TOO_LONG = "the speech went on too long"


def syllables(text: str) -> int:
    """A rough syllable count: groups of vowels in each word (at least one a word)."""
    return sum(max(1, len(re.findall(r"[aeiouy]+", w))) for w in text.split())


Rule = Callable[[dict], bool]
"""event -> accepted (only asked for events whose text is a phrase of the grammar)."""


def current(min_coverage: float = 0.5, base_ms: float = 700, per_word_ms: float = 650,
            per_syllable_ms: float = 0.0, max_ms_per_syllable: float = 0.0,
            left_over_ms: float = 600) -> Rule:
    """The rule in recogniser.py, with its parameters, plus two optional length rules
    (``left_over_ms`` 0: the rule before the left-over limit was added)."""
    def rule(e: dict) -> bool:
        speech, spoken, text = e["speech_ms"], e["spoken_ms"], e["text"]
        if speech and spoken is not None and spoken < min_coverage * speech:
            return False
        if left_over_ms and speech and spoken is not None and speech - spoken > left_over_ms:
            return False
        words = len(text.split())
        if speech and speech > base_ms + per_word_ms * words + per_syllable_ms * syllables(text):
            return False
        return not (max_ms_per_syllable and spoken is not None
                    and spoken > max_ms_per_syllable * syllables(text))
    return rule


def own_voice(e: dict) -> bool:
    said = set(words_of(e.get("own_words") or ""))
    return bool(said) and all(w in said for w in e["text"].split())


def accepted(e: dict, rule: Rule, guard: bool = False) -> list | None:
    if e["plain"] is None or e["too_long"]:
        return None
    if not rule(e):
        return None
    if guard and own_voice(e):
        return None
    return e["plain"]


def evaluate(data: dict, rule: Rule) -> dict:
    items = data["items"]
    out: dict = {}
    for r in data["results"]:
        item = items[r["item"]]
        got = [m for e in r["events"] if (m := accepted(e, rule)) is not None]
        slow = r["speed"] in WORD_GAPS
        c = out.setdefault(r["condition"] + (" slow" if slow else ""), Counter())
        if item["expected"] is None:
            c["false" if got else "quiet"] += 1
        elif not got:
            c["rejected"] += 1
        else:
            c["right" if got[0] == item["expected"] else "wrong"] += 1
    own = Counter()
    for o in data.get("own", []):
        guard = o["way"].endswith("own-voice guard")
        own[o["way"]] += sum(1 for e in o["events"] if accepted(e, rule, guard) is not None)
        if guard:
            own["reading, no guard"] += sum(1 for e in o["events"]
                                            if accepted(e, rule) is not None)
    out["own"] = own
    return out


def line(name: str, result: dict) -> str:
    cells = []
    for condition, c in result.items():
        if condition == "own":
            continue
        n = max(1, c["right"] + c["rejected"] + c["wrong"])
        m = c["false"] + c["quiet"]
        cell = f"{condition}: {100 * c['right'] / n:5.1f} right {100 * c['wrong'] / n:4.1f} wrong"
        cells.append(cell + (f" {100 * c['false'] / m:4.1f} false" if m else ""))
    own = " ".join(f"{v}" for _k, v in sorted(result["own"].items()))
    return f"{name:<34} " + " | ".join(cells) + f" | own {own}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dump", type=Path)
    parser.add_argument("--grid", action="store_true", help="search the parameters")
    args = parser.parse_args()
    data = json.loads(args.dump.read_text())
    print(line("plain grammar", evaluate(data, lambda e: True)))
    print(line("before (no left-over limit)", evaluate(data, current(left_over_ms=0))))
    print(line("recogniser.py (left over <= 600)", evaluate(data, current())))
    if args.grid:
        for cov, left, word, syl in itertools.product(
                (0.4, 0.5, 0.6), (0, 400, 500, 600, 800), (0, 300, 650), (0, 150, 300)):
            name = f"cov {cov} left {left} 700+{word}/w+{syl}/syl"
            print(line(name, evaluate(data, current(cov, 700, word, syl, 0, left))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
