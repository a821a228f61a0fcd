"""A Redis of a test's or a benchmark's own, on a port of its own, keeping
nothing on disk: outages are rehearsed on it, never on the machine's Redis."""

import subprocess

from tests.process_output import drain, wait_for_line


def answers(port: int) -> bool:
    ping = ["redis-cli", "-p", str(port), "ping"]
    return bool(subprocess.run(ping, capture_output=True, check=False).stdout)


def start_redis(port: int) -> subprocess.Popen:
    if answers(port):
        raise RuntimeError(f"a Redis already answers on port {port}; stop it first")
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    assert redis.stdout is not None
    wait_for_line(redis.stdout, "Ready to accept connections", timeout=10)
    drain(redis.stdout)
    return redis
