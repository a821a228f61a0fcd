"""Rule 7 of `moderation.text`: an insult is often a word harmless alone
after a word that names a person ("thằng" / "đồ" / "bọn" / "lũ" + "ngu",
"chó", "lợn", "vô học"), and a few patterns built the same way: the animals'
classifier between ("đồ con lợn"), an animal's brain ("óc bò"), "ngu" compared
or intensified, a curse on forebears aimed at people, "chó chết" exclaimed
(not a dead dog), and English "you" + what people are called ("you useless
clowns"). Each pattern is found in a text's words (`moderation.text.tokens`)
wherever one can start."""

import re

_REPEATED = re.compile(r"(.)\1+")


def collapse(word: str) -> str:
    """Letters repeated for emphasis: "nguuuu" -> "ngu", "đmmmm" -> "đm"."""
    return _REPEATED.sub(r"\1", word)


# Rule 7: words naming a person, and what they must not be called.
PERSON_MARKERS = {
    ("thằng",), ("đồ",), ("bọn",), ("lũ",), ("tụi",), ("quân",), ("con",), ("mấy", "thằng"),
    ("thang",), ("bon",), ("lu",), ("tui",), ("loại", "người"), ("hạng", "người"), ("cái", "loại"),
    ("loai", "nguoi"), ("hang", "nguoi"), ("đứa",), ("mấy", "đứa"), ("con", "mụ"), ("mụ",),
    ("lão",), ("thằng", "cha"), ("dua",), ("con", "mu"), ("lao",), ("thằng", "già"),
    ("lão", "già"), ("mụ", "già"), ("thang", "gia"), ("lao", "gia"),
}  # fmt: skip
INSULTS_AFTER_A_PERSON = {
    ("ngu",), ("chó",), ("lợn",), ("heo",), ("bò",), ("khỉ",), ("khốn",), ("súc", "sinh"),
    ("súc", "vật"), ("mất", "dạy"), ("mất", "nết"), ("vô", "học"), ("ngu", "học"),
    ("hoang",), ("mặt", "dày"), ("mặt", "lồn"), ("ăn", "hại"), ("vô", "dụng"), ("rác", "rưởi"),
    ("ăn", "bám"), ("đần",), ("óc", "lợn"), ("óc", "chó"), ("não", "tôm"), ("mất", "dậy"),
    ("ngu", "si"), ("chó", "má"), ("cặc",), ("lồn",), ("đĩ",), ("điếm",), ("ranh",),
    ("láo",), ("hãm",), ("hèn",), ("đểu",), ("mất", "nết"), ("khốn", "kiếp"), ("bần",),
    ("chó", "săn"), ("côn", "đồ"), ("lưu", "manh"), ("mặt", "dày"), ("thối", "tha"),
    ("ngu",), ("cho",), ("khon",), ("suc", "sinh"), ("suc", "vat"), ("mat", "day"),
    ("vo", "hoc"), ("an", "hai"), ("vo", "dung"), ("mat", "net"), ("ngu", "hoc"), ("lon",),
    ("ăn", "cháo", "đá", "bát"), ("vô", "tích", "sự"), ("đầu", "đất"), ("trời", "đánh"),
    ("an", "chao", "da", "bat"), ("vo", "tich", "su"), ("dau", "dat"), ("troi", "danh"),
    ("rac", "ruoi"),
    # Names for a worthless, mad or vicious person, in common use.
    ("bù", "nhìn"), ("đần", "độn"), ("sâu", "bọ"), ("cặn", "bã"), ("điên",), ("khùng",),
    ("vô", "văn", "hóa"), ("vô", "văn", "hoá"), ("thiểu", "năng"), ("bại", "não"),
    ("cầm", "thú"), ("lừa", "đảo"), ("đầu", "trâu", "mặt", "ngựa"), ("dở", "hơi"),
    ("ngu", "ngốc"), ("ký", "sinh"), ("tay", "sai"), ("ôn", "dịch"), ("mọi", "rợ"),
    ("hỗn", "láo"), ("vô", "lại"), ("đốn", "mạt"), ("hèn", "hạ"), ("mặt", "l"), ("mặt", "lờ"),
    ("bu", "nhin"), ("dan", "don"), ("sau", "bo"), ("can", "ba"), ("khung",),
    ("vo", "van", "hoa"), ("thieu", "nang"), ("bai", "nao"), ("cam", "thu"), ("lua", "dao"),
    ("dau", "trau", "mat", "ngua"), ("do", "hoi"), ("ngu", "ngoc"), ("on", "dich"),
    ("hon", "lao"), ("vo", "lai"), ("mat", "l"),
    # Without conscience or shame, vicious, preying on people, lecherous,
    # cursed: what a person is called in contempt.
    ("vô", "liêm", "sỉ"), ("vô", "lương", "tâm"), ("thất", "đức"), ("bất", "lương"),
    ("đê", "tiện"), ("đê", "hèn"), ("bỉ", "ổi"), ("hèn", "mạt"), ("sâu", "mọt"),
    ("ăn", "cướp"), ("cướp", "ngày"), ("hút", "máu"), ("vô", "giáo", "dục"),
    ("vô", "ơn"), ("xảo", "trá"), ("gian", "manh"), ("gian", "xảo"), ("bất", "nhân"),
    ("ác", "ôn"), ("du", "côn"), ("ôn", "con"), ("ranh", "con"), ("nhãi", "ranh"),
    ("nhãi", "con"), ("oắt", "con"), ("dê", "xồm"), ("dê", "già"), ("biến", "thái"),
    ("chết", "tiệt"), ("chết", "bầm"), ("chết", "dẫm"), ("chết", "giẫm"), ("quỷ", "sứ"),
    ("cô", "hồn"), ("vô", "loài"), ("trơ", "trẽn"), ("trơ", "tráo"), ("mặt", "mo"),
    ("đạo", "đức", "giả"), ("tham", "lam"), ("bần", "tiện"), ("hạ", "đẳng"),
    ("mạt", "hạng"), ("rẻ", "rách"), ("thổ", "phỉ"), ("bất", "tài"), ("vô", "tri"),
    ("kền", "kền"), ("ký", "sinh", "trùng"), ("khốn", "nạn"), ("đỉa",),
    ("vo", "liem", "si"), ("vo", "luong", "tam"), ("that", "duc"), ("bat", "luong"),
    ("de", "tien"), ("de", "hen"), ("bi", "oi"), ("hen", "mat"), ("sau", "mot"),
    ("an", "cuop"), ("cuop", "ngay"), ("hut", "mau"), ("vo", "giao", "duc"),
    ("xao", "tra"), ("gian", "manh"), ("gian", "xao"), ("bat", "nhan"), ("ac", "on"),
    ("du", "con"), ("on", "con"), ("ranh", "con"), ("nhai", "ranh"), ("nhai", "con"),
    ("oat", "con"), ("de", "xom"), ("bien", "thai"), ("chet", "tiet"), ("chet", "bam"),
    ("quy", "su"), ("co", "hon"), ("vo", "loai"), ("tro", "tren"), ("tro", "trao"),
    ("dao", "duc", "gia"), ("ban", "tien"), ("ha", "dang"), ("mat", "hang"),
    ("re", "rach"), ("tho", "phi"), ("bat", "tai"), ("ky", "sinh", "trung"), ("khon", "nan"),
}  # fmt: skip
# "con" names animals too: "con chó", "con bò" are the animals themselves.
# ("lon" typed without diacritics is "lợn" as well as "lồn".)
ANIMALS = {("chó",), ("lợn",), ("heo",), ("bò",), ("khỉ",), ("trâu",), ("cho",), ("lon",),
           ("bo",), ("khi",), ("trau",), ("đỉa",), ("kền", "kền"), ("dê",)}  # fmt: skip
# An animal's brain: "óc lợn", "não chó" (not "óc heo", a dish).
BRAINS = {("óc",), ("não",), ("oc",), ("nao",)}
# "ngu" compared ("ngu như bò") or intensified ("ngu vãi", "ngu vl").
STUPID = {"ngu"}
STUPID_FOLLOWERS = {"như", "vãi", "vl", "vcl", "thế", "vậy", "quá", "dốt", "xuẩn", "si", "nhu",
                    "vai", "vay", "qua", "dot", "xuan", "hết", "lắm", "thật", "kinh", "bỏ", "mẹ",
                    "chết", "bà", "đến", "không", "còn"}  # fmt: skip
# A curse on someone's parents or forebears, aimed at a person.
CURSES_ON_FOREBEARS = {("mẹ", "cha"), ("tổ", "cha"), ("tiên", "sư"), ("mả", "mẹ"), ("mả", "cha"),
                       ("me", "cha"), ("to", "cha"), ("tien", "su")}  # fmt: skip
PRONOUNS = {("nó",), ("mày",), ("chúng", "mày"), ("tụi", "bay"), ("no",), ("may",)}
# Curses that are words for a dead animal too ("chó chết trôi dưới kênh"): a
# curse when exclaimed ("chó chết thật", "chó chết mày"), never after words
# that count or classify the animal ("con chó chết", "xác chó chết").
CURSES_OR_CARCASSES = {("chó", "chết"), ("cho", "chet")}
CARCASS_WORDS = {"con", "xác", "một", "hai", "ba", "mấy", "những", "các", "có", "xac", "mot"}
EXCLAIMED = {"thật", "thế", "vậy", "mày", "à", "that", "the", "vay", "may"}
# English: "you" and what people are called ("you clowns"), perhaps with a
# word of contempt between ("you useless clowns").
YOU = {"you", "ya", "u"}
CONTEMPT_EN = {"incompetent", "useless", "lazy", "corrupt", "stupid", "bloody", "damn",
               "pathetic", "worthless", "brainless", "greedy", "dumb", "filthy",
               "lying"}  # fmt: skip
PEOPLE_CALLED_EN = {"idiots", "idiot", "fools", "fool", "clowns", "clown", "morons", "pigs",
                    "parasites", "leeches", "crooks", "losers", "loser", "muppets", "donkeys",
                    "animals", "cowards", "rats", "thieves", "scum", "bloodsuckers", "imbeciles",
                    "dimwits", "dummies", "jokers", "slobs"}  # fmt: skip


def _starts(words: list[str], at: int, phrase: tuple[str, ...]) -> bool:
    return tuple(words[at : at + len(phrase)]) == phrase


INSULTS_BY_FIRST_WORD: dict[str, list[tuple[str, ...]]] = {}
for _insult in INSULTS_AFTER_A_PERSON:
    INSULTS_BY_FIRST_WORD.setdefault(_insult[0], []).append(_insult)
# The words that may start one of rule 7's patterns: any other word is passed by.
RULE_7_STARTS = (
    {p[0] for p in PERSON_MARKERS | BRAINS | CURSES_ON_FOREBEARS | CURSES_OR_CARCASSES}
    | STUPID
    | YOU
)


def _marked_insults(words: list[str], i: int) -> list[str]:
    """A person's marker at i, then what they are called ("thằng ngu"), or the
    animals' classifier and an animal ("đồ con chó")."""
    found = []
    for marker in PERSON_MARKERS:
        if not _starts(words, i, marker):
            continue
        after = i + len(marker)
        for insult in INSULTS_BY_FIRST_WORD.get(words[after] if after < len(words) else "", ()):
            if marker == ("con",) and insult in ANIMALS:
                continue  # "con chó" is the dog itself
            if _starts(words, after, insult):
                found.append(" ".join((*marker, *insult)))
        if marker != ("con",) and words[after : after + 1] == ["con"]:
            found += [
                " ".join((*marker, "con", *animal))
                for animal in ANIMALS
                if _starts(words, after + 1, animal)
            ]
    return found


def _animal_brains(words: list[str], i: int) -> list[str]:
    return [
        " ".join((*brain, *animal))
        for brain in BRAINS
        for animal in ANIMALS - {("heo",)}
        if _starts(words, i, brain) and _starts(words, i + len(brain), animal)
    ]


def _stupid_intensified(words: list[str], i: int) -> list[str]:
    following = collapse(words[i + 1]) if i + 1 < len(words) else ""
    if collapse(words[i]) in STUPID and following in STUPID_FOLLOWERS:
        return [f"ngu {following}"]
    return []


def _curses_on_forebears(words: list[str], i: int) -> list[str]:
    return [
        " ".join(curse)
        for curse in CURSES_ON_FOREBEARS
        if _starts(words, i, curse)
        and any(_starts(words, i + len(curse), p) for p in PERSON_MARKERS | PRONOUNS)
    ]


def _word(words: list[str], at: int) -> str:
    return words[at] if at < len(words) else ""


def _you_called(words: list[str], i: int) -> list[str]:
    """ "you clowns", "you useless clowns"."""
    called = _word(words, i + 1)
    if called in CONTEMPT_EN:
        called = _word(words, i + 2)
    return [f"you {called}"] if called in PEOPLE_CALLED_EN else []


def _curse_not_carcass(words: list[str], i: int) -> list[str]:
    if i > 0 and words[i - 1] in CARCASS_WORDS:
        return []
    return [
        " ".join(curse)
        for curse in CURSES_OR_CARCASSES
        if _starts(words, i, curse) and _word(words, i + len(curse)) in EXCLAIMED
    ]


def insulted_people(words: list[str]) -> list[tuple[str, float]]:
    """Rule 7's patterns, wherever one starts."""
    found: list[str] = []
    for i in range(len(words)):
        if words[i] in RULE_7_STARTS or collapse(words[i]) in STUPID:
            found += _marked_insults(words, i) + _animal_brains(words, i)
            found += _stupid_intensified(words, i) + _curses_on_forebears(words, i)
            found += _curse_not_carcass(words, i) + _you_called(words, i)
    return [(term, 1.0) for term in found]
