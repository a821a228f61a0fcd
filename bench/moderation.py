"""Text screening on the labelled set of tests/fixtures/moderation_texts.jsonl.

    uv run python bench/moderation.py

Prints recall on offensive and on personal-data texts, precision of the
"clean" verdict, the clean texts wrongly flagged, and the time per report.
Place names come from the repository's boundary files, as the service loads them.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "1")

from moderation.text import build_lexicon, place_name_sequences, screen_text  # noqa: E402

HOLD = 1.0


def load_places() -> set:
    names = []
    for name in ("tra_vinh_districts.geojson", "tra_vinh_communes.geojson"):
        for feature in json.loads(
            (
                Path(os.environ.get("SHARED_DATA_DIR", ROOT.parent / "shared" / "data"))
                / "geo"
                / name
            ).read_text()
        )["features"]:
            props = feature["properties"]
            names += [props["name"], props.get("short_name", "")]
    return place_name_sequences([n for n in names if n])


def verdict_of(text: str, lexicon, places) -> str:
    verdict = screen_text(text, lexicon, places)
    if verdict.score >= HOLD:
        return "offensive"
    return "personal_data" if verdict.personal_data else "clean"


def main() -> None:
    rows = [
        json.loads(line) for line in (ROOT / "tests" / "fixtures" / "moderation_texts.jsonl").open()
    ]
    lexicon, places = build_lexicon(), load_places()
    predicted = [verdict_of(r["text"], lexicon, places) for r in rows]
    counts = {
        label: sum(r["label"] == label for r in rows)
        for label in ("clean", "offensive", "personal_data")
    }
    print(f"labelled texts: {len(rows)} ({counts})")
    for label in ("offensive", "personal_data"):
        hits = sum(
            1 for r, p in zip(rows, predicted, strict=True) if r["label"] == label and p == label
        )
        print(f"recall {label:14s}: {hits / counts[label]:.3f} ({hits}/{counts[label]})")
    said_clean = [r for r, p in zip(rows, predicted, strict=True) if p == "clean"]
    truly = sum(r["label"] == "clean" for r in said_clean)
    print(
        f"precision clean        : {truly / len(said_clean):.3f} "
        f"({truly}/{len(said_clean)} said clean are clean)"
    )
    wrongly = [
        r["text"]
        for r, p in zip(rows, predicted, strict=True)
        if r["label"] == "clean" and p != "clean"
    ]
    print(f"clean texts flagged    : {len(wrongly)} of {counts['clean']}")
    for text in wrongly:
        print(f"   {text}")
    missed = [
        (r["label"], r["text"])
        for r, p in zip(rows, predicted, strict=True)
        if r["label"] != "clean" and p != r["label"]
    ]
    for label, text in missed:
        print(f"   missed {label}: {text}")
    start = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for r in rows:
            screen_text(r["text"], lexicon, places)
    per_report = (time.perf_counter() - start) / (rounds * len(rows))
    print(f"screening time per report: {per_report * 1000:.3f} ms (goal < 1 ms)")


if __name__ == "__main__":
    main()
