"""Screening a report's text: offensive words (personal data to redact is
`moderation.redaction`'s).

The words come from three lists: the Vietnamese one of the npm package
vn-badwords (MIT), read from SHARED_DATA_DIR/moderation/ with its SOURCES.md;
the English one that the PyPI package better-profanity ships (MIT), less the
everyday words of a complaint about a city ("weeds", "poop", "kill");
and this project's own, moderation/terms.txt (insults the two lack). Admins
add more as BlockedTerm rows.

Vietnamese is often typed without diacritics, and stripping them turns place
names and ordinary words into insults ("Trà Cú" -> "tra cu"). So:
1. Terms written with diacritics match only words written with them.
2. Terms written without diacritics match only words typed without any; a
   word with diacritics is never folded to reach them.
3. Names of the service area's places are taken out of the text first, in
   both spellings, so "Tra Cu" and "Cang Long" are never read as words.
4. Obfuscations are undone before matching: letters spaced or dotted apart
   (also where the spacing swallowed a one-letter word beside them: "ă n h ạ
   i ở"), letters repeated, digits and symbols for letters, characters that
   show nothing (zero-width spaces, soft hyphens) or strike letters through,
   and compatibility forms (full-width letters): `plain`.
5. A few short terms are ordinary words too ("lon" is a can, "ngu" a part of
   "Ngũ Lạc"; English "dong" and "lech" are Vietnamese typed without
   diacritics): they weigh little alone and need company to hold a report.
6. English words are also matched without their endings ("bastards",
   "fucking"), and with letters masked ("f*ck", "sh!t"); a word built on a
   strong root ("fucktard", "dipshit", "jackass") is one too.
7. An insult is often a word that is harmless alone after a word that names
   a person: "thằng" / "đồ" / "bọn" / "lũ" + "ngu", "chó", "lợn", "vô học".
   Such a pair is offensive; either word alone is not ("con chó chết" is a
   dead dog, "ngu" a part of "Ngũ Lạc"). So are "đồ con chó" (the marker, then
   the animal's classifier, then the animal), "óc lợn" (an animal's brain),
   "ngu như ..." / "ngu vãi" (stupid, compared or intensified) and a curse on
   someone's parents followed by a person ("mẹ cha bọn ..."), "chó chết"
   exclaimed and English "you (useless) clowns": these patterns are
   `moderation.insults`.
8. A word disguised (digits for letters, letters repeated, letters masked
   with *) is meant: an ambiguous term so written weighs in full ("l0n"), and
   a masked word matches the terms it could spell ("đ** m*" is "địt mẹ").
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import NamedTuple

from moderation.insults import collapse, insulted_people
from moderation.redaction import redact

OWN_TERMS = Path(__file__).with_name("terms.txt")
VIETNAMESE_LIST = "moderation/vi_offensive_words.txt"
VIETNAMESE_ORIGIN = "the Vietnamese offensive-word list of the npm package vn-badwords"
# better-profanity's entries that are everyday words in a complaint about a
# city, or Vietnamese syllables typed without diacritics ("gai", "dong", "len").
ENGLISH_EVERYDAY = {
    "weed", "pot", "poop", "pee", "kill", "fat", "ugly", "god", "gay", "gays", "hemp",
    "meth", "sex", "nude", "breasts", "womb", "ovum", "oral", "loin", "lust", "racy", "rum",
    "pawn", "maxi", "teat", "hiv", "drunk", "drug", "drugs", "omg", "lmao", "wad", "thug",
    "lech", "gai", "dong", "len", "cum", "cums", "kum", "kums", "nob", "tit", "titi", "nad",
    "nads", "hoar", "hore", "hoer", "dink", "mams", "xx", "xxx", "cipa", "teez", "wang",
    "spac", "uzi", "pcp", "pms", "jap", "hump", "lube", "knob", "muff", "pube", "rump",
    "tush", "whiz", "toke", "herp", "hebe",
    "prig", "shag", "smut", "stupid", "dirty", "sexy", "fart", "turd", "terd", "poon",
    "dyke", "pron", "lesbian", "lesbians", "virgin", "urine", "vomit", "sperm", "semen",
    "tampon", "pissed", "balls", "ball", "bum", "butt", "booty", "bra", "panty", "panties",
    "strip", "stripper", "naked", "kinky", "escort", "erotic", "hooker", "junkie", "slave",
    "ejaculate", "crack", "crackhead", "coke", "pusse", "weenie", "willy", "wtf", "gtfo",
}  # fmt: skip
# Mild English words: rude, but a harsh complaint may use one; two hold a report.
ENGLISH_MILD = {"hell", "damn", "crap", "screw", "suck", "sucks", "jerk", "stupid", "bloody"}
MILD_WEIGHT = 0.5
AMBIGUOUS = {
    "lon", "cu", "má", "mé", "lờ", "lồng", "ngu", "hãm", "sảng", "dái", "kiu", "del", "deo",
    "biz", "dis", "ml", "cl", "cmn", "sấp mặt", "sap mat", "con lon", "lol", "ngáo", "ngao",
    # Unaccented spellings that are everyday words typed without diacritics:
    # "các" (plural), "đi" (go), "buổi", and lone letters or digits.
    "cac", "di", "buoi", "4", "b", "d", "l", "v",
}  # fmt: skip
AMBIGUOUS_WEIGHT = 0.25
# Insults typed without their diacritics that are everyday words as written:
# "lon" (a can; lồn), "cac" (các; cặc), "di" (đi; đĩ), "buoi" (buổi; buồi).
UNACCENTED_INSULTS = {"lon", "cac", "di", "buoi", "deo"}
LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
# A word may hide letters behind * or ! ("f*ck", "sh!t", "đ*o").
WORD = re.compile(r"[^\W_]+(?:[*!]+[^\W_]+)*[*]*|[@$]", re.UNICODE)
MASK = "*"
ENGLISH_ENDINGS = ("ing", "ers", "er", "ed", "es", "ic", "ish", "s", "y")
ADMIN_PREFIXES = ("thành phố", "thị xã", "thị trấn", "huyện", "xã", "phường", "tỉnh")


def fold(text: str) -> str:
    """Vietnamese without diacritics: "Trà Cú" -> "tra cu", "đ" -> "d"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _is_ascii(word: str) -> bool:
    return word.isascii()


REPEATED = re.compile(r"(.)\1\1")


class _Words(NamedTuple):
    words: list[str]
    spaced: set[str]  # the words joined from letters spaced apart
    disguised: set[str]  # written with digits or symbols for letters, or a letter thrice (rule 8)


# What `plain` takes out: the characters that show nothing (Unicode's format
# characters, found once here: the Basic Multilingual Plane, musical notation's
# and the tag characters' blocks) and marks drawn through a letter ("c̷h̷ó"),
# which no Vietnamese or Khmer letter has.
_UNSHOWN = dict.fromkeys(
    [
        c
        for block in (range(0x10000), range(0x1D173, 0x1D17B), range(0xE0000, 0xE0080))
        for c in block
        if unicodedata.category(chr(c)) == "Cf"
    ]
    + list(range(0x0334, 0x0339))
)


def plain(text: str) -> str:
    r"""The text as it reads: compatibility forms folded ("ｎｇｕ", full width, is
    "ngu"; NFKC also composes Vietnamese letters as NFC does), and the
    characters that show nothing (zero-width spaces and joiners, soft hyphens,
    direction marks) or strike a letter through taken out, so that "n\u200bgu"
    and "n\u00adgu" are "ngu"."""
    return unicodedata.normalize("NFKC", text).translate(_UNSHOWN)


def _read(text: str) -> _Words:
    """The text's words, disguises undone, and which of them were disguised."""
    text = plain(text).lower()
    words = []
    disguised = set()
    for word in WORD.findall(text):
        if (any(c.isdigit() for c in word) and any(c.isalpha() for c in word)) or "!" in word:
            word = word.translate(LEET)  # "d1t", "l0n", "sh!t"; pure numbers are left alone
            disguised.add(word)
        elif word in ("@", "$"):
            word = word.translate(LEET)
        elif REPEATED.search(word):
            disguised.add(word)
        words.append(word)
    # Letters spaced or dotted apart ("d m", "f.u.c.k") become one word.
    joined: list[str] = []
    spaced: set[str] = set()
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if len(run) >= 2:
            joined.append("".join(run))
            spaced.add(joined[-1])
        else:
            joined.extend(run)
        run = []
        if word:
            joined.append(word)
    return _Words(joined, spaced, disguised)


def tokens(text: str) -> list[str]:
    return _read(text).words


@dataclass
class Lexicon:
    terms: dict[tuple[str, ...], float]  # token sequence -> weight
    longest: int

    @cached_property
    def by_length(self) -> dict[int, list[tuple[tuple[str, ...], float]]]:
        """The terms by their number of words, for masked words (rule 8)."""
        found: dict[int, list[tuple[tuple[str, ...], float]]] = {}
        for term, weight in self.terms.items():
            found.setdefault(len(term), []).append((term, weight))
        return found


def _read_terms(path: Path) -> dict[str, float]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        term, _, weight = line.partition("\t")
        found[unicodedata.normalize("NFC", term.lower())] = float(weight) if weight else 1.0
    return found


def _english_terms() -> dict[str, float]:
    from importlib.resources import files

    listed = files("better_profanity").joinpath("profanity_wordlist.txt").read_text("utf-8")
    terms = {
        term: 1.0
        for line in listed.splitlines()
        if (term := unicodedata.normalize("NFC", line.strip().lower()))
        and term not in ENGLISH_EVERYDAY
    }
    terms.update(dict.fromkeys(ENGLISH_MILD, MILD_WEIGHT))
    return terms


@cache
def shipped_terms() -> dict[str, float]:
    from backend.shared_data import shared_file

    terms = _english_terms()
    terms.update(_read_terms(shared_file(VIETNAMESE_LIST, VIETNAMESE_ORIGIN)))
    terms.update(_read_terms(OWN_TERMS))
    return terms


def _masked(word: str) -> set[str]:
    """The spellings of an English word with some inner letters masked:
    "fuck" -> "f*ck", "fu*k", "f**k" ... (never the first or last letter)."""
    found = set()
    for start in range(1, len(word) - 1):
        for end in range(start + 1, min(start + 3, len(word) - 1) + 1):
            found.add(word[:start] + MASK * (end - start) + word[end:])
    return found


def build_lexicon(extra: dict[str, float] | None = None) -> Lexicon:
    terms: dict[tuple[str, ...], float] = {}
    for term, weight in {**shipped_terms(), **(extra or {})}.items():
        key = tuple(tokens(term))
        if not key:
            continue
        if " ".join(key) in AMBIGUOUS:  # after normalising: "di~" (Telex for đĩ) is "di"
            weight = min(weight, AMBIGUOUS_WEIGHT)
        # A phrase whose other words carry diacritics while one is an insult
        # typed without them ("cái lon"): in such a text, that word is the
        # everyday one ("a can"), not "lồn".
        if any(t in UNACCENTED_INSULTS for t in key) and not all(t.isascii() for t in key):
            weight = min(weight, AMBIGUOUS_WEIGHT)
        variants = {key, ("".join(key),)}  # spaced-out letters are joined into one word
        if len(key) == 1 and key[0].isalpha() and len(key[0]) >= 3 and weight >= 1.0:
            variants |= {(masked,) for masked in _masked(key[0])}
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


# Rule 6: roots that make any English word built on them offensive. Only at
# a word's start or end (or anywhere, for the first two), so that "Scunthorpe",
# "class" and "Dickens" stay clean.
ENGLISH_ROOTS = ("fuck", "shit", "cunt", "bitch", "bastard", "wank", "twat", "douche",
                 "asshat", "jackass", "dumbass", "dipshit", "motherf", "prick", "asshole",
                 "arsehole", "cocksuck", "scumbag", "dickhead", "dickwad")  # fmt: skip
ROOTS_ANYWHERE = ("fuck", "shit")
# Everyday words that hold a root ("shiitake" collapses to "shitake").
ROOT_EXCEPTIONS = {"shiitake", "shitake"}


def _english_root(word: str) -> str | None:
    if not word.isascii() or word in ROOT_EXCEPTIONS:
        return None
    for root in ENGLISH_ROOTS:
        if root in word and (
            root in ROOTS_ANYWHERE or word.startswith(root) or word.endswith(root)
        ):
            return root
    return None


def _english_stems(word: str) -> set[str]:
    """ "bastards" -> "bastard", "fucking" -> "fuck", "idiots" -> "idiot"."""
    return {
        word[: -len(ending)]
        for ending in ENGLISH_ENDINGS
        if word.endswith(ending) and len(word) - len(ending) >= 4
    }


def _spells(masked: str, word: str) -> bool:
    """Whether a word with letters masked ("đ**") could be this word ("địt")."""
    return len(masked) == len(word) and all(
        m in (MASK, w) for m, w in zip(masked, word, strict=True)
    )


def _masked_match(window: list[str], lexicon: Lexicon) -> tuple[str, float] | None:
    """The weightiest term a window with masked words could spell (rule 8).
    A masked word keeps a letter, and the window is not all masks."""
    if not any(MASK in w and w.strip(MASK) for w in window):
        return None
    best: tuple[str, float] | None = None
    for term, weight in lexicon.by_length.get(len(window), []):
        spelt = all(_spells(w, t) for w, t in zip(window, term, strict=True))
        if spelt and (best is None or weight > best[1]):
            best = (" ".join(term), weight)
    return best


def _within_spaced(word: str, lexicon: Lexicon) -> tuple[str, float] | None:
    """A term spelt by letters spaced apart beside a one-letter word that the
    spacing swallowed ("ă n h ạ i ở" joins into "ănhạiở"): the longest term
    the run starts or ends with."""
    for size in range(len(word) - 1, 2, -1):  # three letters at least
        for part in (word[:size], word[-size:]):
            weight = lexicon.terms.get((part,))
            if weight is not None:
                return part, weight
    return None


def offensive_matches(
    text: str, lexicon: Lexicon, places: set[tuple[str, ...]]
) -> list[tuple[str, float]]:
    read = _read(text)
    spaced, disguised = read.spaced, read.disguised
    words = _without_places(read.words, places, max((len(p) for p in places), default=1))
    # Each word's letters repeated for emphasis collapsed once, not once for
    # every window it is in (a 2,000-letter text has thousands of windows).
    collapsed = [collapse(w) for w in words]
    found: list[tuple[str, float]] = []
    i = 0
    while i < len(words):
        matched = 0
        for size in range(min(lexicon.longest, len(words) - i), 0, -1):
            window = words[i : i + size]
            if "" in window:
                continue
            if MASK in "".join(window) and (masked := _masked_match(window, lexicon)):
                found.append(masked)
                matched = size
                break
            candidates = {tuple(window), tuple(collapsed[i : i + size])}
            if size == 1 and window[0].isascii() and len(window[0]) >= 5:
                candidates |= {(stem,) for stem in _english_stems(window[0])}
            for candidate in candidates:
                weight = lexicon.terms.get(candidate)
                if weight is None:
                    continue
                # An unaccented term matches only unaccented words (rule 2).
                if all(_is_ascii(t) for t in candidate) and not all(_is_ascii(w) for w in window):
                    continue
                if any(w in disguised for w in window):
                    weight = max(weight, 1.0)  # a word disguised is meant (rule 8)
                found.append((" ".join(candidate), weight))
                matched = size
                break
            if matched:
                break
        if not matched and words[i] in spaced and (part := _within_spaced(words[i], lexicon)):
            found.append(part)
            matched = 1
        if (
            not matched
            and words[i]
            and (root := _english_root(words[i]) or _english_root(collapse(words[i])))
        ):
            found.append((root, 1.0))
        i += matched or 1
    # Rule 7, where rule 1's list found nothing in the same place.
    named = {term for term, _ in found}
    found += [(term, w) for term, w in insulted_people(words) if term not in named]
    return found


def screen_text(text: str, lexicon: Lexicon, places: set[tuple[str, ...]]) -> TextVerdict:
    matches = offensive_matches(text, lexicon, places)
    redacted, kinds = redact(text)
    return TextVerdict(
        score=sum(weight for _, weight in matches),
        matches=[term for term, _ in matches],
        redacted=redacted,
        personal_data=kinds,
    )
