"""Text screening against labelled sets: how many offensive texts are held,
how many clean ones pass, how long one text takes.

    uv run python bench/screening.py

Eleven sets: moderation/examples/moderation_texts.jsonl, the one the word lists'
rules are tuned on, and ten held-out sets (moderation_heldout*.jsonl), each
written before a change to the screening and measured after it; the latest
one's figure is the honest one (SETS says how each was used). The first
nine are now the learned screen's examples (moderation/examples/, which it
is trained on); the tenth stays in tests/fixtures/, which training never
reads. A text is held as a report's is: the word lists and the learned
screen together (moderation.rules.text_reasons); the word lists' figures
alone are printed beside. Runs with the
demo's place names (the service area's, taken out of the text before matching).
Goals: offensive recall >= 0.95 and clean passed >= 0.97 on the held-out set,
< 1 ms per report.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.pop("DATABASE_URL", None)
os.environ["VAR_DIR"] = str(ROOT / "var" / "bench-screening")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from moderation.rules import lexicon, place_names, text_reasons  # noqa: E402
from moderation.screening import holds  # noqa: E402
from moderation.text import screen_text  # noqa: E402

EXAMPLES = ROOT / "moderation" / "examples"
SETS = {
    "tuned on": EXAMPLES / "moderation_texts.jsonl",
    # Written before the rules changed; its misses were read once, after the
    # first change, so it is no longer quite untouched (see bench/RESULTS.md).
    "held out, first": EXAMPLES / "moderation_heldout.jsonl",
    # Written after the first tuning; its figures were read three times as the
    # rules grew (never its misses).
    "held out, second": EXAMPLES / "moderation_heldout_2.jsonl",
    # Written after the second tuning, measured once as written (0.80); its
    # misses were then read, and the rules generalised from them.
    "held out, third": EXAMPLES / "moderation_heldout_3.jsonl",
    # Written (and committed) before that change, measured once after it
    # (0.88); its misses were then read, and the rules generalised from them.
    "held out, fourth": EXAMPLES / "moderation_heldout_4.jsonl",
    # Written (and committed) before that change, measured once after it
    # (0.60); its misses then taught the rules the names it used.
    "held out, fifth": EXAMPLES / "moderation_heldout_5.jsonl",
    # Written (and committed) before the rules changed, measured once after it
    # (0.78); its misses were then read, and the vocabulary widened from the
    # language rather than from them alone.
    "held out, sixth": EXAMPLES / "moderation_heldout_6.jsonl",
    # Written after the last change to the rules, measured once as written
    # with the rules alone (0.84), then with the learned screen (0.94).
    "held out, seventh": EXAMPLES / "moderation_heldout_7.jsonl",
    # Written and committed before the learned screen existed; measured with
    # it (0.88 to 0.92 as it changed), its misses never read.
    "held out, eighth": EXAMPLES / "moderation_heldout_8.jsonl",
    # Written after the learned screen was first trained, committed before it
    # was measured (0.90 held, 0.94 passed); its misses were then read, and it
    # joined the examples (with moderation/examples/broad_vocabulary.jsonl,
    # insults and their everyday look-alikes written from the language).
    "held out, ninth": EXAMPLES / "moderation_heldout_9.jsonl",
    # Written and committed before that training, measured once after it.
    "held out, tenth": ROOT / "tests" / "fixtures" / "moderation_heldout_10.jsonl",
    # Reports of one to six words ("Cây đổ", "Đồ ngu"), as residents often
    # write them: written and committed before the screen learned short texts.
    "held out, short texts": ROOT / "tests" / "fixtures" / "moderation_short_heldout.jsonl",
}


def is_held(text: str) -> bool:
    """Held on its text alone: the word lists and the learned screen, as a report is."""
    reasons, _ = text_reasons(text)
    return holds(reasons)


def main() -> None:
    call_command("migrate", verbosity=0)
    from backend.areas.models import Area
    from backend.demo.seed import load_tra_vinh

    if not Area.objects.exists():
        load_tra_vinh()
    lex, places = lexicon(), place_names()
    for name, path in SETS.items():
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        verdicts = [screen_text(r["text"], lex, places) for r in rows]
        by_rules = [v.score >= 1.0 for v in verdicts]
        held = [is_held(r["text"]) for r in rows]
        offensive = [h for r, h in zip(rows, held, strict=True) if r["label"] == "offensive"]
        clean = [h for r, h in zip(rows, held, strict=True) if r["label"] == "clean"]
        personal = [
            bool(v.personal_data)
            for r, v in zip(rows, verdicts, strict=True)
            if r["label"] == "personal_data"
        ]
        print(f"{name}: {len(rows)} texts")
        lists_held = [h for r, h in zip(rows, by_rules, strict=True) if r["label"] == "offensive"]
        lists_passed = [not h for r, h in zip(rows, by_rules, strict=True) if r["label"] == "clean"]
        print(f"  word lists alone: offensive held {sum(lists_held) / len(lists_held):.3f}, "
              f"clean passed {sum(lists_passed) / len(lists_passed):.3f}")  # fmt: skip
        print(f"  offensive held   {sum(offensive)}/{len(offensive)} = "
              f"{sum(offensive) / len(offensive):.3f}")  # fmt: skip
        print(f"  clean passed     {clean.count(False)}/{len(clean)} = "
              f"{clean.count(False) / len(clean):.3f}")  # fmt: skip
        if personal:
            print(f"  personal found   {sum(personal)}/{len(personal)}")
        # Only the set the rules are tuned on shows its misses: reading the
        # held-out set's would make it one more set to tune on.
        for row, h in zip(rows, held, strict=True):
            wrong = h != (row["label"] == "offensive") and row["label"] != "personal_data"
            if wrong and name == "tuned on":
                print(f"    missed: [{row['label']}] {row['text']}")
        texts = [r["text"] for r in rows] * 20
        started = time.perf_counter()
        for text in texts:
            text_reasons(text)
        per_text = (time.perf_counter() - started) / len(texts) * 1000
        print(f"  {per_text:.3f} ms per text ({len(texts)} screened)")


if __name__ == "__main__":
    main()
