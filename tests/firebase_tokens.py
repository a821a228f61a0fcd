"""Real RS256 Firebase ID tokens for the tests, signed with a key made here.

firebase-admin verifies them with its own code: it fetches Google's public
certificates through its HTTP session, and the test answers that request with
a certificate for the local key, as the SDK's own tests do.
"""

import datetime
import json
import time

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from firebase_admin import _token_gen, auth
from google.auth import crypt
from google.auth import jwt as google_jwt

from backend.accounts.firebase import firebase_app

KEY_ID = "local-test-key"


def _make_key_and_certificate() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "securetoken.local.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


class CertificateEndpoint(requests.adapters.BaseAdapter):
    """Answers the SDK's certificate request with the local certificate; counts calls."""

    def __init__(self, certificate_pem: bytes) -> None:
        super().__init__()
        self.body = json.dumps({KEY_ID: certificate_pem.decode()}).encode()
        self.requests: list[str] = []

    def send(self, request, **kwargs):
        self.requests.append(request.url)
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json"
        response.headers["Cache-Control"] = "public, max-age=3600"
        response._content = self.body
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


class TokenFactory:
    def __init__(self) -> None:
        self.key_pem, self.certificate_pem = _make_key_and_certificate()
        self.endpoint = CertificateEndpoint(self.certificate_pem)
        verifier = auth._get_client(firebase_app())._token_verifier
        verifier.request.session.mount(_token_gen.ID_TOKEN_CERT_URI, self.endpoint)

    def token(
        self,
        uid: str,
        phone_number: str = "+84901234567",
        expires_in: int = 3600,
        key_pem: bytes | None = None,
        **overrides: object,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": f"https://securetoken.google.com/{settings.FIREBASE_PROJECT_ID}",
            "aud": settings.FIREBASE_PROJECT_ID,
            "auth_time": now - 10,
            "user_id": uid,
            "sub": uid,
            "iat": now - 10,
            "exp": now + expires_in,
            "phone_number": phone_number,
            "firebase": {"identities": {"phone": [phone_number]}, "sign_in_provider": "phone"},
            **overrides,
        }
        signer = crypt.RSASigner.from_string(key_pem or self.key_pem, key_id=KEY_ID)
        return google_jwt.encode(signer, claims).decode()

    def forged_token(self, uid: str) -> str:
        """Signed by a key the certificate does not belong to, under the same key id."""
        other_key, _ = _make_key_and_certificate()
        return self.token(uid, key_pem=other_key)
