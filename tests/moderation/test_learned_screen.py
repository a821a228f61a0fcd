"""The learned screen: it holds insults the word lists lack, passes ordinary
complaints, and the committed model is the one training makes."""

import json
from pathlib import Path

import pytest

from moderation.learned import MODEL_FILE, features, learned_screen
from moderation.rules import lexicon, place_names, text_reasons
from moderation.text import screen_text
from moderation.training import Choice, _fit, _matrix, examples, train

pytestmark = pytest.mark.django_db

# Not in any labelled set, and no word list has "quan tham" (greedy officials).
UNLISTED_INSULT = "Lũ quan tham ăn tiền dân, đường nát như tương."


def test_an_insult_the_word_lists_lack_is_held_by_the_learned_screen():
    assert screen_text(UNLISTED_INSULT, lexicon(), place_names()).score < 1.0
    reasons, _ = text_reasons(UNLISTED_INSULT)
    assert [r["rule"] for r in reasons] == ["offensive_learned"]
    assert reasons[0]["score"] >= 1.0
    # The moderator is shown the words that weighed most, from the text itself.
    shown = reasons[0]["words"]
    assert shown and all(w in UNLISTED_INSULT.lower() for w in shown)


@pytest.mark.parametrize(
    "text",
    [
        "Cán bộ xã làm việc chậm, đã báo ba lần mà chưa ai xử lý.",  # criticism, not insult
        "Lũ lụt làm sạt lở bờ kênh, nhà dân bị ngập.",  # "lũ" is a flood here
        "Con chó nhà bên cạnh sủa suốt đêm, xin nhắc nhở.",
        "Nuoc ngap toi goi o duong Nguyen Dang, xe chet may hang loat.",
        "Lũ về làm ngập hết ruộng lúa",  # the flood, again
        "Con đường này ngập quanh năm",  # "con", the classifier of roads
    ],
)
def test_an_ordinary_complaint_gives_the_learned_screen_no_reason(text):
    reasons, _ = text_reasons(text)
    assert not [r for r in reasons if r["rule"] == "offensive_learned"]


@pytest.mark.parametrize(
    "text", ["Cây đổ", "Mất điện", "Rác", "Cống nghẹt", "Ổ gà tải thử", "Test", "xyz"]
)
def test_a_short_everyday_report_is_not_judged_by_the_learned_screen(text):
    """With a handful of features the model's bias decided, and it held one in
    three short reports; a text of fewer than MIN_WORDS words is left to the
    word lists."""
    assert learned_screen().score(text) == 0.0
    assert not text_reasons(text)[0]


def test_a_short_insult_is_still_held_by_the_word_lists():
    for text in ("Đồ ngu", "Lũ ăn hại", "Fuck you"):
        assert [r["rule"] for r in text_reasons(text)[0]] == ["offensive_language"], text


def test_features_keep_the_diacritics_typed():
    """ "đổ" (to dump) is not "đồ" (the insult's marker); a text typed without
    diacritics is read as typed, and learnt from examples typed so."""
    dump, marker, bare = features("đổ rác"), features("đồ rác"), features("do rac")
    assert "w đổ" in dump and "w đồ" in marker and "w do" in bare
    assert not {f for f in dump if "đổ" in f} & marker


def test_scoring_reproduces_the_trained_model():
    """The library-free scoring gives the probabilities scikit-learn's model
    gives (within what leaving out the lightest weights moves)."""
    model_file = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    labelled = examples()
    model, vocabulary = _fit(labelled, model_file["strength"])
    texts = [e.text for e in labelled[::25]] + [UNLISTED_INSULT]
    matrix, _ = _matrix(texts, vocabulary)
    expected = model.predict_proba(matrix)[:, 1]
    screen = learned_screen()
    for text, probability in zip(texts, expected, strict=True):
        assert screen.probability(text) == pytest.approx(probability, abs=0.02), text


def test_the_committed_model_is_what_training_on_the_examples_makes():
    committed = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    choice = Choice(committed["strength"], committed["threshold"], 0.0, 0.0)
    trained = train(examples(), choice)
    assert trained["bias"] == pytest.approx(committed["bias"], abs=1e-3)
    assert trained["weights"].keys() == committed["weights"].keys()
    assert max(abs(trained["weights"][f] - w) for f, w in committed["weights"].items()) < 1e-3


def test_training_never_reads_the_sets_that_measure_it():
    measuring = Path(__file__).resolve().parents[1] / "fixtures"
    held_out = {
        json.loads(line)["text"]
        for path in measuring.glob("moderation_heldout*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    assert held_out  # the tenth set
    assert not held_out & {e.text for e in examples()}
