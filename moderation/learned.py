"""The learned screen: how likely a text is to be offensive, from a linear
model trained on labelled report texts (`moderation.training`).

The word lists (`moderation.text`) know the words they list; a resident who
insults staff with a word no list has ("bù nhìn", "sâu dân mọt nước") passes
them. A model of the texts' letters and words learns what the insults of the
labelled examples share (a person's marker beside contempt, the shapes of
curses, typed with or without diacritics) and reaches words it never saw.

Scoring needs no library: the text's features are pieces of its letters (2 to
5, within words) and its words and word pairs, lower case and as typed
(folding diacritics away would read "đổ", to dump, as "đồ", an insult's
marker; a text typed without them is learnt from examples typed so); each
present feature adds its weight, the sum is scaled
by the square root of how many features the text has, and a logistic gives
the probability. The weights are a JSON file made by `manage.py
train_screen` from `moderation/examples/` and committed, so a change to the
model is a reviewed diff like a change to the word lists.

It says nothing of a text of fewer than MIN_WORDS words: there the few
features it has decide alone, and it held one in three short everyday
reports ("Cây đổ", "Mất điện", "Rác"; tests/fixtures/moderation_short_heldout.jsonl).
A short insult is a whole term, which is what the word lists know.
"""

import json
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path

from moderation.text import plain

MODEL_FILE = Path(__file__).with_name("learned_screen.json")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SHORTEST, _LONGEST = 2, 5
MIN_WORDS = 5


def _words(text: str) -> list[str]:
    return _WORD.findall(plain(text).lower())


def features(text: str) -> set[str]:
    """The features of a text, each once."""
    return _features_of(_words(text))


def _features_of(words: list[str]) -> set[str]:
    found = {f"w {word}" for word in words}
    found.update(f"p {a} {b}" for a, b in pairwise(words))
    for word in set(words):  # a word's letter pieces are the same wherever it is
        found.update(_letter_pieces(word))
    return found


@lru_cache(maxsize=20_000)
def _letter_pieces(word: str) -> frozenset[str]:
    """A word's pieces of 2 to 5 letters, the spaces around it included. Words
    recur from report to report, and a piece depends on nothing but its word."""
    padded = f" {word} "
    return frozenset(
        f"c{padded[i : i + size]}"
        for size in range(_SHORTEST, min(_LONGEST, len(padded)) + 1)
        for i in range(len(padded) - size + 1)
    )


def judges(text: str) -> bool:
    """Whether the text is long enough for the learned screen to judge."""
    return len(_words(text)) >= MIN_WORDS


@dataclass(frozen=True)
class LearnedScreen:
    weights: dict[str, float]
    bias: float
    threshold: float  # the probability at which a text alone is held

    def probability(self, text: str) -> float:
        return self._probability(features(text))

    def _probability(self, present: set[str]) -> float:
        if not present:
            return 0.0
        total = sum(self.weights.get(feature, 0.0) for feature in present)
        logit = self.bias + total / math.sqrt(len(present))
        return 1.0 / (1.0 + math.exp(-logit))

    def telling_words(self, text: str, most: int = 3) -> list[str]:
        """The text's words and word pairs that weigh most towards offence,
        heaviest first: what a moderator is shown of why it was held."""
        weighed = [
            (self.weights[f], f[2:]) for f in features(text) if f[0] in "wp" and f in self.weights
        ]
        return [words for weight, words in sorted(weighed, reverse=True)[:most] if weight > 0]

    def score(self, text: str) -> float:
        """The text's weight among the screening's reasons: 1.0 (a full
        offensive term) at the threshold, more above it; 0.0 for a text too
        short to judge (MIN_WORDS)."""
        words = _words(text)  # read once: its count and its features
        if len(words) < MIN_WORDS:
            return 0.0
        return self._probability(_features_of(words)) / self.threshold


@cache
def learned_screen() -> LearnedScreen:
    model = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    return LearnedScreen(model["weights"], model["bias"], model["threshold"])
