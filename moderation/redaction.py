"""Personal data in a report's text: found and replaced in what the public
sees, kept for staff (and for the error events' scrubber, which redacts the
same way)."""

import re

# Personal data: replaced in the public text, kept for staff. Phone numbers
# are found by Google's libphonenumber matcher (the phonenumbers package) as
# a Vietnamese reader would dial them, in any spacing or with a country code.
PERSONAL_DATA = {
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE),
    "citizen_id": re.compile(r"(?<!\d)\d{3}[\s.]?\d{3}[\s.]?\d{6}(?!\d)"),
    "licence_plate": re.compile(
        r"(?<![\w])\d{2}\s?-?\s?[A-Z][A-Z0-9]?\s?-?\s?\d{3}\.?\d{1,2}(?![\w])", re.IGNORECASE
    ),
}
REDACTED = "[***]"
PHONE_REGION = "VN"
# A phone number has at least this many digits; fewer, and the matcher is not asked.
PHONE_MIN_DIGITS = 8
DIGIT = re.compile(r"\d")


def _redact_phones(text: str) -> tuple[str, int]:
    if len(DIGIT.findall(text)) < PHONE_MIN_DIGITS:
        return text, 0
    import phonenumbers

    found = list(
        phonenumbers.PhoneNumberMatcher(text, PHONE_REGION, leniency=phonenumbers.Leniency.POSSIBLE)
    )
    for match in reversed(found):
        text = text[: match.start] + REDACTED + text[match.end :]
    return text, len(found)


def redact(text: str) -> tuple[str, list[str]]:
    kinds = []
    for kind, pattern in PERSONAL_DATA.items():
        text, count = pattern.subn(REDACTED, text)
        if count:
            kinds.append(kind)
    text, phones = _redact_phones(text)
    if phones:
        kinds.append("phone")
    return text, kinds
