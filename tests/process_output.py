"""Waiting on a child process's output instead of on the clock: a server is
ready when it says so, a worker has met an outage when it logs it."""

import selectors
import time
from typing import IO


def wait_for_line(stream: IO[bytes], text: str, timeout: float = 30.0) -> str:
    """Read `stream` (a pipe of the child) line by line until one contains
    `text`; returns that line. Blocks on the pipe itself, never on a timer."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(timeout=left):
                break
            line = stream.readline().decode(errors="replace")
            if not line:  # the child closed its output: it ended
                break
            seen.append(line)
            if text in line:
                return line
    tail = "".join(seen[-20:])
    raise TimeoutError(f"no line with {text!r} within {timeout:.0f} s; last output:\n{tail}")


def drain(stream: IO[bytes]) -> None:
    """Keep reading the child's output in the background, so that it never
    blocks on a full pipe once nobody waits on it."""
    import threading

    threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()
