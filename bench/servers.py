"""gunicorn on 127.0.0.1, the one way the benchmarks and the tests start the site (issue 13).

    with gunicorn(env, workers=2) as server:
        urllib.request.urlopen(server.base + "/")

A free port, the given environment, a readiness wait on /_ping/ with a deadline (which also
notices at once a server that exits while starting), and a clean shutdown (SIGTERM, then
SIGKILL). The server's output goes to a log file; when it fails to start, or the block raises,
the end of that log is printed to stderr (pytest shows it with the failure), and a start that
fails raises ServerError carrying it.

Used by bench/run.py, bench/load_with_writes.py and tests/performance/test_two_servers.py.
Imports nothing from the project: the server is a separate process.

`varnish(backend_port)` runs Varnish in front of such a server (issue 18: the edge cache,
tests/performance/test_edge.py, `make serve-edge`) with the repository's VCL
(config/edge/modelpress.vcl), in a working directory of its own, on a free port.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
LOG_TAIL = 4000  # characters of the server's log shown on failure
VCL = ROOT / "config" / "edge" / "modelpress.vcl"


class ServerError(RuntimeError):
    """gunicorn did not start (it exited, or did not answer /_ping/ in time)."""


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    log_path: Path

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self):
        try:
            return self.log_path.read_text(errors="replace")[-LOG_TAIL:]
        except OSError:
            return ""

    def worker_rss_mb(self):
        """Resident memory of each worker process, in MB (Linux /proc)."""
        pid = self.proc.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        sizes = []
        for child in children.split():
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
        return sizes


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def command(port, workers=1, threads=None, extra=()):
    """gunicorn's command line: sync workers, or gthread ones when `threads` is given."""
    args = [GUNICORN, "config.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    if threads:
        args += ["--worker-class", "gthread", "--threads", str(threads)]
    return [*args, "--log-level", "warning", *extra]


@contextlib.contextmanager
def gunicorn(env, *, workers=1, threads=None, extra=(), ready_within=30.0, niceness=0):
    """Serve the site with `env` (a complete environment) for the length of the block;
    `niceness` lowers its processes' CPU priority (nice(1))."""
    port = free_port()
    handle, name = tempfile.mkstemp(prefix=f"gunicorn-{port}-", suffix=".log")
    nice = ["nice", "-n", str(niceness)] if niceness else []
    with os.fdopen(handle, "w") as log:
        proc = subprocess.Popen(
            [*nice, *command(port, workers, threads, extra)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(proc, port, Path(name))
    try:
        wait_ready(server, ready_within)
        yield server
    except BaseException:
        print(
            f"--- gunicorn on port {port}, end of its log ---\n{server.log_tail()}", file=sys.stderr
        )
        raise
    finally:
        stop(server)
        server.log_path.unlink(missing_ok=True)


def wait_ready(server, within):
    """Poll /_ping/ until it answers; fail at once if gunicorn exits, or after `within` s."""
    deadline = time.monotonic() + within
    while True:
        try:
            with urllib.request.urlopen(server.base + "/_ping/", timeout=2) as response:
                response.read()
            return
        except OSError as error:
            last = error
        # Waiting on the process is the pause between polls: it ends early if gunicorn exits.
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ServerError(f"gunicorn did not answer /_ping/ within {within:g} s ({last})")
        try:
            code = server.proc.wait(timeout=min(0.2, remaining))
        except subprocess.TimeoutExpired:
            continue
        raise ServerError(f"gunicorn exited with {code} before answering:\n{server.log_tail()}")


def stop(server, within=20.0):
    """SIGTERM (gunicorn's graceful stop, workers included), SIGKILL if it hangs."""
    if server.proc.poll() is not None:
        return
    server.proc.terminate()
    try:
        server.proc.wait(timeout=within)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait(timeout=10)


# -- Varnish -----------------------------------------------------------------------------------


def varnishd_path():
    """varnishd's path, or None when Varnish is not installed."""
    return shutil.which("varnishd") or next(
        (path for path in ("/usr/sbin/varnishd",) if os.access(path, os.X_OK)), None
    )


def vcl_text(backend_port, backend_host="127.0.0.1"):
    """The repository's VCL pointed at a backend."""
    text = VCL.read_text()
    return text.replace("BACKEND_HOST", backend_host).replace("BACKEND_PORT", str(backend_port))


def varnish_command(port, workdir, vcl_path):
    """varnishd in the foreground, no privilege separation (a test's own directory)."""
    return [
        varnishd_path(),
        "-F",
        "-j", "none",
        "-n", str(workdir),
        "-a", f"127.0.0.1:{port}",
        "-f", str(vcl_path),
        "-s", "malloc,64m",
        "-p", "http_req_hdr_len=16k",  # purges carry up to 400 keys of 13 bytes
        "-p", "default_grace=0",
    ]  # fmt: skip


@contextlib.contextmanager
def varnish(backend_port, *, port=None, ready_within=30.0):
    """Varnish with the repository's VCL in front of 127.0.0.1:`backend_port`, on `port` (a
    free one by default: pass one to tell the app where to purge before it starts)."""
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix=f"varnish-{port}-"))
    vcl_path = workdir / "modelpress.vcl"
    vcl_path.write_text(vcl_text(backend_port))
    log_path = workdir / "varnishd.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            varnish_command(port, workdir / "n", vcl_path),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(proc, port, log_path)
    try:
        wait_ready(server, ready_within)
        yield server
    except BaseException:
        print(
            f"--- varnishd on port {port}, end of its log ---\n{server.log_tail()}", file=sys.stderr
        )
        raise
    finally:
        stop(server)
        shutil.rmtree(workdir, ignore_errors=True)
