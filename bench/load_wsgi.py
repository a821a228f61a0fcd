"""The production WSGI app, for the load benchmark only: each worker answers
firebase-admin's certificate request with the benchmark's own key (as the tests
do), since this machine cannot reach Google's certificates."""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

from firebase_admin import _token_gen, auth  # noqa: E402

from backend.accounts.firebase import firebase_app  # noqa: E402
from tests.firebase_tokens import CertificateEndpoint  # noqa: E402

_certificate = Path(os.environ["BENCH_CERTIFICATE_FILE"]).read_bytes()
_verifier = auth._get_client(firebase_app())._token_verifier
_verifier.request.session.mount(_token_gen.ID_TOKEN_CERT_URI, CertificateEndpoint(_certificate))
