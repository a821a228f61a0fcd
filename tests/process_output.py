"""Waiting on a child process's output instead of on the clock: a server is
ready when it says so, a worker has met an outage when it logs it."""

import os
import selectors
import time
from typing import IO


def wait_for_line(stream: IO[bytes], text: str, timeout: float = 30.0) -> str:
    """Read `stream` (a pipe of the child) until a line contains `text`; returns
    that line. Blocks on the pipe itself, never on a timer. Reads the file
    descriptor, not the buffered stream: a buffered readline can pull several
    lines in at once, and the next select would then wait for output the child
    has already written."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    pending = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(timeout=left):
                break
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:  # the child closed its output: it ended
                break
            *lines, pending = (pending + chunk).split(b"\n")
            for raw in lines:
                line = raw.decode(errors="replace")
                seen.append(line)
                if text in line:
                    return line
    tail = "\n".join(seen[-20:])
    raise TimeoutError(f"no line with {text!r} within {timeout:.0f} s; last output:\n{tail}")


def drain(stream: IO[bytes]) -> None:
    """Keep reading the child's output in the background, so that it never
    blocks on a full pipe once nobody waits on it."""
    import threading

    threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()
