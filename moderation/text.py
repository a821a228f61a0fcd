"""Screening a report's text: offensive words, and personal data to redact.

Vietnamese is often typed without diacritics, and stripping them turns place
names and ordinary words into insults ("Trà Cú" -> "tra cu"). So:
1. Terms written with diacritics match only words written with them.
2. Terms written without diacritics match only words typed without any; a
   word with diacritics is never folded to reach them.
3. Names of the service area's places are taken out of the text first, in
   both spellings, so "Tra Cu" and "Cang Long" are never read as words.
4. Obfuscations are undone before matching: letters spaced or dotted apart,
   letters repeated, digits and symbols for letters.
5. A few short terms are ordinary words too ("lon" is a can, "ngu" a part of
   "Ngũ Lạc"): they weigh little alone and need company to hold a report.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")
AMBIGUOUS = {
    "lon", "cu", "má", "mé", "lờ", "lồng", "ngu", "hãm", "sảng", "dái", "kiu", "del", "deo",
    "biz", "dis", "ml", "cl", "cmn", "sấp mặt", "sap mat", "con lon", "lol", "ngáo", "ngao",
    # Unaccented spellings that are everyday words typed without diacritics:
    # "các" (plural), "đi" (go), "buổi", and lone letters or digits.
    "cac", "di", "buoi", "4", "b", "d", "l", "v",
}  # fmt: skip
AMBIGUOUS_WEIGHT = 0.25
LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
WORD = re.compile(r"[^\W_]+|[@$]", re.UNICODE)
ADMIN_PREFIXES = ("thành phố", "thị xã", "thị trấn", "huyện", "xã", "phường", "tỉnh")


def fold(text: str) -> str:
    """Vietnamese without diacritics: "Trà Cú" -> "tra cu", "đ" -> "d"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _is_ascii(word: str) -> bool:
    return word.isascii()


def _collapse(word: str) -> str:
    """Letters repeated for emphasis: "nguuuu" -> "ngu", "đmmmm" -> "đm"."""
    return re.sub(r"(.)\1+", r"\1", word)


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).lower()
    words = []
    for word in WORD.findall(text):
        if any(c.isdigit() for c in word) and any(c.isalpha() for c in word):
            word = word.translate(LEET)  # "d1t", "l0n"; pure numbers are left alone
        elif word in ("@", "$"):
            word = word.translate(LEET)
        words.append(word)
    # Letters spaced or dotted apart ("d m", "f.u.c.k") become one word.
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if len(run) >= 2:
            joined.append("".join(run))
        else:
            joined.extend(run)
        run = []
        if word:
            joined.append(word)
    return joined


@dataclass(frozen=True)
class Lexicon:
    terms: dict[tuple[str, ...], float]  # token sequence -> weight
    longest: int


def _read_terms(path: Path) -> dict[str, float]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        term, _, weight = line.partition("\t")
        found[unicodedata.normalize("NFC", term.lower())] = float(weight) if weight else 1.0
    return found


@cache
def shipped_terms() -> dict[str, float]:
    terms = _read_terms(DATA / "vi_offensive_words.txt")
    terms.update(_read_terms(DATA / "extra_terms.txt"))
    return terms


def build_lexicon(extra: dict[str, float] | None = None) -> Lexicon:
    terms: dict[tuple[str, ...], float] = {}
    for term, weight in {**shipped_terms(), **(extra or {})}.items():
        key = tuple(tokens(term))
        if not key:
            continue
        if " ".join(key) in AMBIGUOUS:  # after normalising: "di~" (Telex for đĩ) is "di"
            weight = min(weight, AMBIGUOUS_WEIGHT)
        variants = {key, ("".join(key),)}  # spaced-out letters are joined into one word
        if len(key) >= 2:
            # A phrase typed without diacritics: safe for phrases, unlike single
            # words, where folding makes insults of ordinary words.
            variants.add(tuple(fold(t) for t in key))
        for variant in variants:
            terms[variant] = max(weight, terms.get(variant, 0.0))
    return Lexicon(terms=terms, longest=max((len(k) for k in terms), default=1))


def place_name_sequences(names: list[str]) -> set[tuple[str, ...]]:
    """Each place name without its "Xã"/"Huyện"... prefix, with and without diacritics."""
    found = set()
    for name in names:
        text = unicodedata.normalize("NFC", name).lower().strip()
        for prefix in ADMIN_PREFIXES:
            if text.startswith(prefix + " "):
                text = text[len(prefix) + 1 :]
        words = tuple(tokens(text))
        if len(words) >= 2 or (len(words) == 1 and len(words[0]) >= 4 and not words[0].isdigit()):
            found.add(words)
            found.add(tuple(fold(w) for w in words))
    return found


def _without_places(words: list[str], places: set[tuple[str, ...]], longest: int) -> list[str]:
    kept, i = [], 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            if tuple(words[i : i + size]) in places:
                kept.append("")  # a gap: no term spans a place name
                i += size
                break
        else:
            kept.append(words[i])
            i += 1
    return kept


@dataclass
class TextVerdict:
    score: float = 0.0
    matches: list[str] = field(default_factory=list)
    redacted: str = ""
    personal_data: list[str] = field(default_factory=list)


def offensive_matches(
    text: str, lexicon: Lexicon, places: set[tuple[str, ...]]
) -> list[tuple[str, float]]:
    words = _without_places(tokens(text), places, max((len(p) for p in places), default=1))
    found: list[tuple[str, float]] = []
    i = 0
    while i < len(words):
        matched = 0
        for size in range(min(lexicon.longest, len(words) - i), 0, -1):
            window = words[i : i + size]
            if "" in window:
                continue
            candidates = {tuple(window), tuple(_collapse(w) for w in window)}
            for candidate in candidates:
                weight = lexicon.terms.get(candidate)
                if weight is None:
                    continue
                # An unaccented term matches only unaccented words (rule 2).
                if all(_is_ascii(t) for t in candidate) and not all(_is_ascii(w) for w in window):
                    continue
                found.append((" ".join(candidate), weight))
                matched = size
                break
            if matched:
                break
        i += matched or 1
    return found


# Personal data: replaced in the public text, kept for staff.
SEP = r"[\s.\-]?"
PERSONAL_DATA = {
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE),
    "citizen_id": re.compile(r"(?<!\d)\d{3}[\s.]?\d{3}[\s.]?\d{6}(?!\d)"),
    "phone": re.compile(
        rf"(?<![\d\w])(?:\+84{SEP}|0)(?:[235789]\d?){SEP}(?:\d{SEP}){{6,8}}\d(?!\d)"
    ),
    "licence_plate": re.compile(
        r"(?<![\w])\d{2}\s?-?\s?[A-Z][A-Z0-9]?\s?-?\s?\d{3}\.?\d{1,2}(?![\w])", re.IGNORECASE
    ),
}
REDACTED = "[***]"


def redact(text: str) -> tuple[str, list[str]]:
    kinds = []
    for kind, pattern in PERSONAL_DATA.items():
        text, count = pattern.subn(REDACTED, text)
        if count:
            kinds.append(kind)
    return text, kinds


def screen_text(text: str, lexicon: Lexicon, places: set[tuple[str, ...]]) -> TextVerdict:
    matches = offensive_matches(text, lexicon, places)
    redacted, kinds = redact(text)
    return TextVerdict(
        score=sum(weight for _, weight in matches),
        matches=[term for term, _ in matches],
        redacted=redacted,
        personal_data=kinds,
    )
