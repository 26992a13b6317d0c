"""A private s3rver for Python tests (awscli interop, the sink's crash tests).

    import sys; sys.path.insert(0, "<source>/tests/testutil")
    from s3rver import S3rver

    with S3rver(buckets=["pinpipe-test"]) as s3:
        subprocess.run(["/usr/bin/aws", "--endpoint-url", s3.endpoint, "s3", "ls",
                        "s3://pinpipe-test/"], env=s3.env(), check=True)
        subprocess.run([pinpipe, "store", "ls", "s3://pinpipe-test/"], env=s3.env(), check=True)

It runs `node tests/testutil/s3rver.js` (s3rver plus SigV4 verification, `If-None-Match: *`
and fault injection; see that file) on a free 127.0.0.1 port with its data in a fresh temp
dir, waits until it listens, and on exit kills it and removes the dir. A missing node or
s3rver raises RuntimeError naming `scripts/bootstrap --test`: tests fail, never skip.

`env()` gives os.environ plus the server's credentials, region and endpoint
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, PINPIPE_S3_ENDPOINT,
PINPIPE_S3_PATH_STYLE), for awscli and pinpipe child processes alike.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
BOOTSTRAP_HINT = "run scripts/bootstrap --test (npm package s3rver under tests/peers)"

ACCESS_KEY = "S3RVER"
SECRET_KEY = "S3RVER"
REGION = "us-east-1"


class S3rver:
    def __init__(self, buckets=("pinpipe-test",), verify_sigv4=True):
        self.buckets = list(buckets)
        self.verify_sigv4 = verify_sigv4
        self.proc = None
        self.port = None
        self.dir = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self):
        return os.path.join(self.dir, "data")

    def env(self, base=None):
        env = dict(os.environ if base is None else base)
        env.update({
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "PINPIPE_S3_ENDPOINT": self.endpoint,
            "PINPIPE_S3_REGION": REGION,
            "PINPIPE_S3_PATH_STYLE": "true",
        })
        env.pop("AWS_PROFILE", None)
        env.pop("AWS_SESSION_TOKEN", None)
        return env

    def start(self):
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node not found: " + BOOTSTRAP_HINT)
        if not os.path.exists(os.path.join(SOURCE_DIR, "tests", "peers", "node_modules",
                                           "s3rver", "package.json")):
            raise RuntimeError("s3rver is not installed: " + BOOTSTRAP_HINT)
        self.dir = tempfile.mkdtemp(prefix="pinpipe-s3rver-")
        os.makedirs(self.data_dir)
        args = [node, os.path.join(HERE, "s3rver.js"), "--dir", self.data_dir, "--port", "0"]
        for b in self.buckets:
            args += ["--bucket", b]
        if not self.verify_sigv4:
            args.append("--no-verify-sigv4")
        self.log = open(os.path.join(self.dir, "s3rver.log"), "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode()  # "READY <port>", or "" if it died
        if not line.startswith("READY "):
            self.proc.wait(timeout=10)
            self.log.close()
            with open(os.path.join(self.dir, "s3rver.log")) as f:
                why = f.read()
            code = self.proc.returncode
            self.stop()
            hint = BOOTSTRAP_HINT if code == 3 else ""
            raise RuntimeError(f"s3rver did not start (exit {code}): {why} {hint}")
        self.port = int(line.split()[1])
        return self

    def fail_next(self, count, status=503, code="SlowDown", mode="error"):
        """The next `count` requests fail (mode "error") or lose their connection ("reset")."""
        url = (f"{self.endpoint}/__pinpipe/fail?count={count}&status={status}&code={code}"
               f"&mode={mode}")
        with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5):
            pass

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()
        if getattr(self, "log", None) is not None and not self.log.closed:
            self.log.close()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":
    # Manual use: start one and print how to reach it, until Ctrl-C.
    with S3rver() as s3:
        print(f"s3rver at {s3.endpoint}, bucket pinpipe-test, keys {ACCESS_KEY}/{SECRET_KEY}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
