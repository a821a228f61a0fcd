"""Run infra/nginx/default.conf.template with this machine's nginx (Debian's
package), in a folder of its own, in front of an API on loopback: for the
tests and bench/faults.py. Filled in as the nginx image does (envsubst)."""

import shutil
import subprocess
from pathlib import Path
from string import Template

from tests.process_output import drain, wait_for_line

TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "nginx" / "default.conf.template"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def start_proxy(folder: Path, upstream: str, port: int) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    server = Template(TEMPLATE.read_text()).safe_substitute(
        API_UPSTREAM=upstream, LISTEN_PORT=f"127.0.0.1:{port}"
    )
    (folder / "default.conf").write_text(server)
    (folder / "nginx.conf").write_text(
        f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log stderr notice;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/default.conf;
}}
"""
    )
    binary = nginx_binary()
    assert binary, "nginx is not installed (Debian's package nginx)"
    process = subprocess.Popen(
        [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    # nginx opens its listening sockets before it starts its workers.
    wait_for_line(process.stderr, "start worker process", timeout=10)
    drain(process.stderr)
    return process
