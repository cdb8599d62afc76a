"""End-pointing alone on real people's words in noise: every speech detector side by side.

The clips and their noisy mixes are exactly those of bench/voice_real.py (``recordings``,
``noisy``, the same seeds), framed as ``kiosk hear`` frames them (``hear.LEAD_SILENCE_S``
of silence before, ``hear.TAIL_SILENCE_S`` after), and again with the noise already on
for ``STEADY_S`` before the word (no digital silence: the noise floor has settled). No
recogniser: each clip only goes through an :class:`~kiosk.voice.endpoint.Endpointer` (one
per detector and condition, reset between clips as in the app), and what it delivers is
compared with where the word is.

Where the word is: in the clean recording, the frames within ``SPEECH_DB`` (20 dB) of its
active level that join the loudest frame with gaps of at most ``GAP_MS`` (clicks and
breaths at the edges of Speech Commands clips are not the word), shifted by the padding the
mix adds.

- miss: no delivered utterance overlaps the word (the recogniser never hears it; an
  utterance that never ends, or is flagged too long, is not delivered);
- clipped: (words whose edges are found) the utterance that covers most of the word starts
  more than ``TOLERANCE_MS`` after the word starts or ends before it ends, or the word is
  split over utterances;
- extra audio: length of that utterance (preroll included) minus the word's, mean;
- end delay: from the end of the word to the Ended event, median (part of the latency);
- noise alone: clips of background noise only (clean) that start any utterance;
- compute: time in ``Endpointer.push`` per second of audio.

Run: .venv/bin/python bench/endpoint.py [--detectors webrtc,silero] [--split all]
     [--every N]   (about 2 minutes on 2 cores for all clips)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voice_data import active_rms  # noqa: E402
from voice_real import (  # noqa: E402
    CONDITIONS,
    DATA,
    PAD_S,
    log,
    noisy,
    recordings,
)

from kiosk.voice.endpoint import FRAME_BYTES, FRAME_MS, Ended, Endpointer, Started  # noqa: E402
from kiosk.voice.hear import LEAD_SILENCE_S, TAIL_SILENCE_S  # noqa: E402

RATE = 16_000
SPEECH_DB = 20.0
TOLERANCE_MS = 50.0
GAP_MS = 100
STEADY_S = 2.0


def word_bounds(audio: np.ndarray) -> tuple[float, float]:
    """Start and end (ms) of the word in a clean recording: from the loudest 10 ms frame,
    outwards over frames within ``SPEECH_DB`` of the active level, across gaps of at most
    ``GAP_MS`` (a stop's closure), so a click or breath apart from the word is left out."""
    frame = RATE // 100
    usable = audio[: audio.size // frame * frame].reshape(-1, frame)
    power = np.sqrt(np.mean(usable ** 2, axis=1))
    loud = power >= active_rms(audio) * 10 ** (-SPEECH_DB / 20)
    peak = int(np.argmax(power))
    gap = GAP_MS // 10
    first = last = peak
    while first > 0 and loud[max(0, first - gap):first].any():
        first = max(0, first - gap) + int(np.nonzero(loud[max(0, first - gap):first])[0][0])
    while last < loud.size - 1 and loud[last + 1:last + 1 + gap].any():
        last = last + 1 + int(np.nonzero(loud[last + 1:last + 1 + gap])[0][-1])
    return float(first * 10), float((last + 1) * 10)


def utterances(endpointer: Endpointer, pcm: bytes) -> tuple[list[tuple[float, float]], float]:
    """(start, end) in ms of every utterance delivered to the recogniser (ended, and not
    too long), preroll included; and the seconds spent in ``push``."""
    spans: list[tuple[float, float]] = []
    start = None
    spent = 0.0
    for n, at in enumerate(range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)):
        frame = pcm[at:at + FRAME_BYTES]
        began = time.perf_counter()
        events = endpointer.push(frame)
        spent += time.perf_counter() - began
        now = (n + 1) * FRAME_MS
        for event in events:
            if isinstance(event, Started):
                start = now - len(event.pcm) / 2 / RATE * 1000
            elif isinstance(event, Ended):
                if start is not None and not event.too_long:  # too long: not decoded
                    spans.append((start, now))
                start = None
    return spans, spent  # one still open at the end of the file was never delivered


def judge(spans: list[tuple[float, float]], on: float, off: float, whole: bool) -> dict:
    """``whole``: the word's edges could not be found (the recording is loud throughout),
    so clipping is not judged."""
    overlapping = [(s, e) for s, e in spans if s < off and e > on]
    if not overlapping:
        return {"miss": True}
    s, e = max(overlapping, key=lambda span: min(span[1], off) - max(span[0], on))
    clipped = None if whole else (len(overlapping) > 1 or s > on + TOLERANCE_MS
                                  or e < off - TOLERANCE_MS)
    return {"miss": False, "clipped": clipped, "extra": (e - s) - (off - on),
            "delay": e - off}


def run(detector: str, items: list[dict], noises: dict, conditions, steady: bool
        ) -> list[dict]:
    """``steady``: the noise has been on for ``STEADY_S`` before the clip (a kiosk in a
    noisy room) instead of the digital silence ``kiosk hear`` puts around a file."""
    lead = bytes(int(LEAD_SILENCE_S * RATE) * 2)
    tail = bytes(int(TAIL_SILENCE_S * RATE) * 2)
    rows = []
    for condition in conditions:
        endpointer = Endpointer(detector=detector)
        rng = np.random.default_rng(14)  # as bench/voice_real.py: the same mixes
        for item in items:
            if item["label"] == "_silence" and condition != "clean":
                continue
            if steady:  # leading zeros: the same stretch of noise, just longer
                early = dict(item, audio=np.concatenate([np.zeros(int(STEADY_S * RATE)),
                                                         item["audio"]]))
                pcm = noisy(early, condition, noises, rng)
            else:
                pcm = lead + noisy(item, condition, noises, rng) + tail
            endpointer.reset()
            spans, spent = utterances(endpointer, pcm)
            row = {"detector": detector, "condition": condition, "steady": steady,
                   "split": item["split"],
                   "noise": item["label"] == "_silence", "seconds": len(pcm) / 2 / RATE,
                   "spent": spent, "spans": len(spans)}
            if not row["noise"]:
                on, off = word_bounds(item["audio"])
                shift = (STEADY_S if steady else LEAD_SILENCE_S) * 1000 + PAD_S * 1000
                whole = off - on >= 0.95 * item["audio"].size / RATE * 1000
                row.update(judge(spans, on + shift, off + shift, whole))
            rows.append(row)
        log(f"{detector}: {condition} done")
    return rows


def table(rows: list[dict], split: str, steady: bool) -> str:
    detectors = list(dict.fromkeys(r["detector"] for r in rows))
    conditions = list(dict.fromkeys(r["condition"] for r in rows))
    rows = [r for r in rows if (split == "all" or r["split"] == split)
            and r["steady"] == steady]
    by = defaultdict(list)
    for r in rows:
        by[(r["detector"], r["condition"])].append(r)
    framing = (f"noise on for {STEADY_S:g} s before" if steady
               else "digital silence around, as kiosk hear")
    out = [f"End-pointing on real people's words ({split} speakers; {framing}):", "",
           "| | " + " | ".join(detectors) + " |", "|---" * (len(detectors) + 1) + "|"]
    for condition in conditions:
        words = {d: [r for r in by[(d, condition)] if not r["noise"]] for d in detectors}
        n = len(words[detectors[0]])
        cells = []
        for d in detectors:
            got = [r for r in words[d] if not r["miss"]]
            judged = [r for r in got if r["clipped"] is not None]
            cells.append(
                f"{sum(r['miss'] for r in words[d])} / "
                f"{sum(r['clipped'] for r in judged)} of {len(judged)} / "
                f"{statistics.mean(r['extra'] for r in got):.0f} ms / "
                f"{statistics.median(r['delay'] for r in got):.0f} ms" if got else "all missed")
        out.append(f"| {condition} (n={n}): missed / clipped / extra audio / end delay | "
                   + " | ".join(cells) + " |")
    noise = {d: [r for r in by[(d, "clean")] if r["noise"]] for d in detectors}
    if noise[detectors[0]]:
        out.append(f"| background noise alone (n={len(noise[detectors[0]])}): clips that "
                   "start an utterance | "
                   + " | ".join(str(sum(r["spans"] > 0 for r in noise[d])) for d in detectors)
                   + " |")
    cost = []
    for d in detectors:
        mine = [r for r in rows if r["detector"] == d]
        cost.append(f"{1000 * sum(r['spent'] for r in mine) / sum(r['seconds'] for r in mine):.1f}"
                    " ms")
    out.append("| compute per second of audio | " + " | ".join(cost) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detectors", default="webrtc,silero")
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--split", default="all", choices=("dev", "test", "all"))
    parser.add_argument("--every", type=int, default=1, help="only every Nth clip (quick look)")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    items, noises, rng = recordings(args.data, args.every)  # the same mixes as voice_real
    rows: list[dict] = []
    for steady in (False, True):
        for detector in args.detectors.split(","):
            rows += run(detector, items, noises, args.conditions.split(","), steady)
        print(table(rows, args.split, steady) + "\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
