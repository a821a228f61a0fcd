"""Answers kept in the shared cache until what they show changes.

A page of a resident's reports, a unit's ticket queue, a public report: each
depends on a few *scopes* ("reporter:42", "unit:7", "report:<id>"). Each scope
has a generation, a random token in the cache. A change gives every scope it
touches a new token (`bump`), and an answer is kept with the tokens it was
computed under: it is served only while they are still the current ones, so
the first read after a change computes afresh. The answer and the current
tokens come in one round trip to the cache. Old answers are not deleted: they
age out after ANSWER_CACHE_SECONDS, which also bounds how late anything the
change tracking does not see (a category renamed, a ticket becoming overdue
with time) can show.

Tokens are random rather than counters: a token lost from the cache (evicted,
Redis restarted) is replaced by a new one, never by a value an old answer was
kept under.

Everything here fails open: with the cache unreachable, answers are computed
on every request, and nothing is kept.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from redis.exceptions import RedisError

from backend.lru import Lru

logger = logging.getLogger(__name__)

GENERATION_SECONDS = 24 * 3600  # far longer than any answer is kept


def _generation_key(scope: str) -> str:
    return f"generation:{scope}"


def generations(scopes: Iterable[str]) -> str | None:
    """The current tokens of the scopes, joined; None when the cache is down."""
    keys = [_generation_key(scope) for scope in scopes]
    try:
        return _current_tokens(keys, cache.get_many(keys))
    except RedisError as error:
        logger.warning("answer cache unavailable: %s", error)
        return None


def _current_tokens(keys: list[str], found: dict[str, Any]) -> str | None:
    """The tokens of the generation keys among what was read, a new one for
    each missing; None if one vanished meanwhile (then nothing is kept)."""
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            token = secrets.token_hex(8)
            # add(), not set(): two processes seeing it missing agree on one token.
            if not cache.add(key, token, GENERATION_SECONDS):
                token = cache.get(key)
                if token is None:
                    return None
        tokens.append(token)
    return ".".join(tokens)


def bump(scopes: Iterable[str]) -> None:
    """Answers kept for these scopes are out of date from now on."""
    token = secrets.token_hex(8)
    try:
        cache.set_many({_generation_key(scope): token for scope in scopes}, GENERATION_SECONDS)
    except RedisError as error:
        # What was kept shows for up to ANSWER_CACHE_SECONDS more.
        logger.warning("answer cache not told of a change to %s: %s", list(scopes), error)


def answer_key(request: HttpRequest, *parts: object) -> str:
    """A kept answer's key: the parts, the caller's language and the full path."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return ":".join(["answer", *map(str, parts), request.LANGUAGE_CODE, path])


def kept(key: str, scopes: Iterable[str]) -> tuple[tuple[str, str] | None, Any]:
    """What is kept under `key` if it is still current for the scopes, and a
    handle to `keep` a fresh answer with (None when the cache is down)."""
    handle, value, _also = _kept_with(key, scopes, ())
    return handle, value


def _kept_with(
    key: str, scopes: Iterable[str], also: Iterable[str]
) -> tuple[tuple[str, str] | None, Any, dict[str, Any]]:
    """kept(), also reading the keys `also` in the same round trip."""
    also = list(also)
    generation_keys = [_generation_key(scope) for scope in scopes]
    try:
        found = cache.get_many([key, *generation_keys, *also])
        tokens = _current_tokens(generation_keys, found)
    except RedisError as error:
        logger.warning("answer cache unavailable: %s", error)
        return None, None, {}
    extra = {k: found.get(k) for k in also}
    if tokens is None:
        return None, None, extra
    entry = found.get(key)
    if entry is not None and entry[0] == tokens:
        return (key, tokens), entry[1], extra
    return (key, tokens), None, extra


def keep(handle: tuple[str, str] | None, value: object) -> None:
    """Keep `value` under the tokens read before it was computed: if a change
    came meanwhile, they are no longer current and it is never served."""
    if handle is None:
        return
    key, tokens = handle
    try:
        cache.set(key, (tokens, value), settings.ANSWER_CACHE_SECONDS)
    except RedisError as error:
        logger.warning("answer cache unavailable: %s", error)


def response_of(kept_value: tuple[str, bytes]) -> HttpResponse:
    content_type, content = kept_value
    return HttpResponse(content, content_type=content_type)


def kept_value_of(response: HttpResponse) -> tuple[str, bytes]:
    return response["Content-Type"], response.content


def say_how_kept(response: HttpResponse, public_seconds: int | None = None) -> None:
    """The caching headers of a kept read: phones and proxies may keep a public
    answer `public_seconds`; a signed-in caller's is theirs alone, checked anew."""
    patch_vary_headers(response, ["Accept-Language", "Authorization"])
    if public_seconds is None:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=public_seconds)


def quietly_authenticated(auth: Callable[[HttpRequest], Any], request: HttpRequest) -> Any:
    """The caller as `auth` sees them, or None for anything short of a signed-in
    caller: the view then runs as usual and answers the error itself."""
    try:
        return auth(request) or None
    except Exception:  # whatever it was, the view's own run meets it again and answers it
        return None


# Who each sign-in was when this process last saw it: only a guess, to name the
# kept answer and its scopes before the sign-in is read, so that the sign-in and
# the answer come in one round trip (see kept_for_signed_in).
_last_seen = Lru(size=2_000)


def kept_for_signed_in(
    auth: Any,
    request: HttpRequest,
    key_of: Callable[[Any], str],
    scopes_of: Callable[[Any], list[str]],
) -> tuple[Any, tuple[str, str] | None, Any]:
    """(the signed-in caller or None, a handle to keep an answer with, what is
    kept) for a read whose answer is `key_of(user)` under `scopes_of(user)`.

    `auth` is the endpoint's auth class; besides authenticating it names the
    cache key of a caller's kept sign-in (`sign_in_key(request)`, None if there
    is none to look for) and reads that entry (`user_of_kept(entry)`, None if
    it no longer admits the caller). A caller seen before costs one round trip
    to the cache; a newcomer, or one whose account changed, is authenticated
    as usual first.
    """
    try:
        sign_in_key = auth.sign_in_key(request)
    except Exception:  # a token the view's own run refuses with its error
        sign_in_key = None
    guess = _last_seen.get(sign_in_key) if sign_in_key else None
    if guess is not None and settings.SIGN_IN_CACHE_SECONDS > 0:
        guessed_scopes = scopes_of(guess)
        handle, value, also = _kept_with(key_of(guess), guessed_scopes, [sign_in_key])
        user = auth.user_of_kept(also.get(sign_in_key))
        if user is not None and user.id == guess.id and scopes_of(user) == guessed_scopes:
            request.user = user
            return user, handle, value
        _last_seen.pop(sign_in_key)
    user = quietly_authenticated(auth, request)
    if user is None:
        return None, None, None
    if sign_in_key:
        _last_seen.put(sign_in_key, user)
    handle, value = kept(key_of(user), scopes_of(user))
    return user, handle, value


def kept_for_caller(
    auth: Callable[[HttpRequest], Any], scopes: Callable[[Any], list[str]]
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """For `@decorate_view` of a signed-in read whose answer depends only on the
    caller, the request and the given scopes of the caller (`scopes(user)`): it
    is kept per caller until one of those scopes changes.

    decorate_view runs before ninja's own checks, so the caller is
    authenticated here first (see kept_for_signed_in); on a miss the view runs
    whole, its checks included, and a 200 answer is kept.
    """

    def decorate(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(run)
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            if settings.ANSWER_CACHE_SECONDS <= 0:
                return run(request, **kwargs)
            user, handle, value = kept_for_signed_in(
                auth, request, lambda user: answer_key(request, run.__name__, user.id), scopes
            )
            if user is None:
                return run(request, **kwargs)
            if value is not None:
                response = response_of(value)
            else:
                response = run(request, **kwargs)
                if response.status_code == 200:
                    keep(handle, kept_value_of(response))
            say_how_kept(response)
            return response

        return wrapper

    return decorate
