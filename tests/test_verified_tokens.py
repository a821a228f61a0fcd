import time

from backend.accounts.firebase import _VerifiedTokens


def test_remembered_tokens_are_bounded_and_forgotten_when_expired():
    remembered = _VerifiedTokens(size=2)
    later = time.time() + 3600
    remembered.put("a", {"exp": later})
    remembered.put("b", {"exp": later})
    assert remembered.get("a") == {"exp": later}  # "a" is now the most recently used
    remembered.put("c", {"exp": later})
    assert remembered.get("b") is None  # the least recently used went out
    assert remembered.get("a") is not None and remembered.get("c") is not None
    remembered.put("old", {"exp": time.time() - 1})
    assert remembered.get("old") is None  # expired: the caller verifies it again
