"""Unsigned ID tokens as the Firebase Authentication emulator issues them.

Only for development: the server accepts them only with
FIREBASE_AUTH_EMULATOR_HOST set, which settings refuse when DEBUG is off.
"""

import base64
import json
import time

from django.conf import settings


def _segment(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def emulator_id_token(uid: str, phone_number: str = "", lifetime_s: int = 3600 * 24) -> str:
    now = int(time.time())
    claims = {
        "iss": f"https://securetoken.google.com/{settings.FIREBASE_PROJECT_ID}",
        "aud": settings.FIREBASE_PROJECT_ID,
        "auth_time": now,
        "user_id": uid,
        "sub": uid,
        "iat": now,
        "exp": now + lifetime_s,
        "phone_number": phone_number,
        "firebase": {"identities": {"phone": [phone_number]}, "sign_in_provider": "phone"},
    }
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(claims)}."
