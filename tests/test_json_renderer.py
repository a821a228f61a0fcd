"""The API's answers: what the standard library's encoder wrote before orjson,
byte for byte in meaning, in UTF-8."""

import datetime as dt
import json
import uuid
from decimal import Decimal

from django.test import RequestFactory
from django.utils.translation import gettext_lazy
from ninja.renderers import JSONRenderer

from mobile_api.api import FastJSONRenderer

ANSWER = {
    "at": dt.datetime(2026, 12, 5, 19, 57, 0, 123456, tzinfo=dt.UTC),
    "on": dt.date(2026, 12, 5),
    "id": uuid.UUID("5747a7e1-0000-4000-8000-000000000001"),
    "amount": Decimal("12.50"),
    "label": gettext_lazy("Public"),
    "by_hour": {7: 3, 8: 5},
    "text": "Ổ gà trước chợ, ផ្លូវខូច",
    "lat": 9.9347,
}


def test_the_answer_means_what_the_standard_encoder_wrote():
    request = RequestFactory().get("/")
    fast = FastJSONRenderer().render(request, ANSWER, response_status=200)
    standard = JSONRenderer().render(request, ANSWER, response_status=200)
    assert json.loads(fast) == json.loads(standard)


def test_times_to_the_millisecond_in_utc_and_text_as_utf8():
    body = FastJSONRenderer().render(RequestFactory().get("/"), ANSWER, response_status=200)
    assert b'"at":"2026-12-05T19:57:00.123Z"' in body
    assert b'"by_hour":{"7":3,"8":5}' in body
    assert "Ổ gà trước chợ, ផ្លូវខូច".encode() in body
