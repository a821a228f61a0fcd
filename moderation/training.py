"""Training the learned screen (`moderation.learned`) from labelled texts.

    manage.py train_screen [--dry-run]

The examples are `moderation/examples/*.jsonl`, one labelled text a line
("offensive" or "clean"; other labels are not about offence and are left
out), each file a set written at one time. The model is a logistic regression
(scikit-learn, a development dependency: production only reads the weights)
over `moderation.learned.features`, each text's features scaled as scoring
scales them. Its strength of regularisation and its threshold are chosen by
leaving one set out at a time: trained on the others, measured on the set
left out, the choice that holds the most offensive texts while passing at
least CLEAN_PASSED_GOAL of the clean ones. The model does not replace the word
lists: it holds what they miss, so its threshold is set for few false alarms.
The held-out set that measures the screen (tests/fixtures/) is never read here.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

from moderation.learned import MODEL_FILE, features, judges

EXAMPLES = Path(__file__).with_name("examples")
STRENGTHS = (3.0, 10.0, 30.0, 100.0, 300.0)  # scikit-learn's C: less regularisation as it grows
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
CLEAN_PASSED_GOAL = 0.97
SMALLEST_WEIGHT = 0.01  # lighter weights are left out of the file: they move no verdict


@dataclass(frozen=True)
class Example:
    text: str
    offensive: bool
    set_name: str


@dataclass(frozen=True)
class Choice:
    strength: float
    threshold: float
    recall: float  # offensive texts held, over every set left out
    clean_passed: float  # clean texts passed, over every set left out


def examples(folder: Path = EXAMPLES) -> list[Example]:
    found = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["label"] in ("offensive", "clean"):
                found.append(Example(row["text"], row["label"] == "offensive", path.stem))
    return found


def _matrix(texts: list[str], vocabulary: dict[str, int] | None = None):
    """Rows of features scaled as `LearnedScreen.probability` scales them (by
    the square root of the text's own number of features), and the vocabulary."""
    from scipy.sparse import csr_matrix

    present = [features(text) for text in texts]
    if vocabulary is None:
        vocabulary = {f: i for i, f in enumerate(sorted(set().union(*present)))}
    rows, columns, values = [], [], []
    for row, found in enumerate(present):
        scale = 1.0 / math.sqrt(len(found)) if found else 0.0
        for feature in found:
            if feature in vocabulary:
                rows.append(row)
                columns.append(vocabulary[feature])
                values.append(scale)
    shape = (len(texts), len(vocabulary))
    return csr_matrix((values, (rows, columns)), shape=shape), vocabulary


def _fit(train: list[Example], strength: float):
    from sklearn.linear_model import LogisticRegression

    matrix, vocabulary = _matrix([e.text for e in train])
    model = LogisticRegression(C=strength, class_weight="balanced", max_iter=5000)
    model.fit(matrix, [e.offensive for e in train])
    return model, vocabulary


def choose(labelled: list[Example]) -> tuple[Choice, list[Choice]]:
    """The best choice by leaving one set out at a time, and every choice measured."""
    set_names = sorted({e.set_name for e in labelled})
    measured = []
    for strength in STRENGTHS:
        scored: list[tuple[Example, float]] = []
        for left_out in set_names:
            train = [e for e in labelled if e.set_name != left_out]
            test = [e for e in labelled if e.set_name == left_out]
            model, vocabulary = _fit(train, strength)
            matrix, _ = _matrix([e.text for e in test], vocabulary)
            probabilities = model.predict_proba(matrix)[:, 1]
            # Measured as the screen is used: it does not judge short texts.
            scored += [(e, p) for e, p in zip(test, probabilities, strict=True) if judges(e.text)]
        for threshold in THRESHOLDS:
            offensive = [p >= threshold for e, p in scored if e.offensive]
            clean = [p < threshold for e, p in scored if not e.offensive]
            measured.append(
                Choice(
                    strength, threshold, sum(offensive) / len(offensive), sum(clean) / len(clean)
                )
            )
    passing = [c for c in measured if c.clean_passed >= CLEAN_PASSED_GOAL] or measured
    best = max(passing, key=lambda c: (c.recall, c.clean_passed, -c.strength))
    return best, measured


def train(labelled: list[Example], choice: Choice) -> dict:
    """The model file's content: trained on every example with the chosen settings."""
    model, vocabulary = _fit(labelled, choice.strength)
    coefficients = model.coef_[0]
    weights = {
        feature: round(float(coefficients[i]), 4)
        for feature, i in sorted(vocabulary.items())
        if abs(coefficients[i]) >= SMALLEST_WEIGHT
    }
    return {
        "about": "moderation.learned: made by manage.py train_screen from moderation/examples/",
        "strength": choice.strength,
        "threshold": choice.threshold,
        "bias": round(float(model.intercept_[0]), 4),
        "weights": weights,
    }


def write_model(model: dict, path: Path = MODEL_FILE) -> None:
    text = json.dumps(model, ensure_ascii=False, indent=0, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
