"""Starts a real `pinpipe up` on a free loopback port and a private data dir, for tests that
drive it with real clients. Used as a context manager:

    with PinpipeServer() as srv:
        requests.post(srv.url + "/topics/...", ...)
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

BIN = os.environ.get("PINPIPE_BINARY", "build/debug/pinpipe")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PinpipeServer:
    def __init__(self, env=None, data_dir=None, args=()):
        # The daily batch would start at once (Airflow semantics: catchup off runs the latest
        # interval); these tests are about the API, so the scheduler is off unless asked for.
        self.env = dict(os.environ, PINPIPE_SCHEDULER_ENABLED="false")
        self.env.update(env or {})
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="pinpipe-compat-")
        self.args = list(args)
        self.proc = None
        self.port = None

    @property
    def url(self):
        base = self.env.get("PINPIPE_API_BASE_PATH", "")
        return f"http://127.0.0.1:{self.port}{base}"

    def start(self):
        self.port = free_port()
        self.log = open(os.path.join(self.data_dir, "up.log"), "ab")
        self.proc = subprocess.Popen(
            [BIN, "up", "--data-dir", self.data_dir, "--listen", f"127.0.0.1:{self.port}",
             *self.args], env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pinpipe up exited {self.proc.returncode}: " + self.read_log())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("pinpipe up did not become healthy: " + self.read_log())

    def read_log(self):
        with open(os.path.join(self.data_dir, "up.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        return self.proc.returncode if self.proc else None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
