#!/usr/bin/python3
"""Process-level crash test of the S3 sink (issue 4, Done-when 3): the processes running the
sink are `kill -9`'ed at random moments while the emulator produces, and afterwards the store
holds every record of the topics exactly once (docs/guarantees.md, "Sink").

The embedded log is locked by one process at a time, so the sink runs where the log is:
  - KILLS times, a `pinpipe up` (API + the sink service) serves `pinpipe emulate`, and is
    SIGKILLed after a random pause (seeded);
  - after every other of those kills, a standalone `pinpipe sink` catches up on the same
    data dir and is SIGKILLed after a random pause too.
Then `up` runs once more and is stopped gracefully, and `pinpipe sink --once` drains the rest.
The sink uses flush_size 7 on 2 partitions. Asserted, for each of <user_id>.pin|geo|user and
each partition (the topic read back with `pinpipe consume`):
  - the objects' keys are exactly topics/<t>/partition=<p>/<t>+<p>+<10-digit offset>.json,
    each starting where the previous ended (no gap, no overlap);
  - every object but the last has exactly 7 lines (deterministic cuts survive every crash;
    the last is the tail `--once` cut);
  - the lines, in key order, are the partition's values in offset order, byte for byte;
  - the consumer group connect-s3-sink ends committed at the end offset.

Two stores: the local lake (<data_dir>/lake), and s3rver (tests/testutil/s3rver.py; the
sink's S3 backend, lake.url = s3://pinpipe-test/lake; objects read back with boto3).

Run by CTest with PINPIPE_BINARY set; by hand:
  PINPIPE_BINARY=build/release/pinpipe tests/fault/sink_kill9_test.py [-k local|-k s3rver]
Env: SINK_KILL9_SEED (default 4242), SINK_KILL9_KILLS (default 20).
"""
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "compat"))
sys.path.insert(0, os.path.join(HERE, "..", "testutil"))
from pinpipe_server import BIN, PinpipeServer  # noqa: E402
from s3rver import S3rver  # noqa: E402

USER = "0a1b2c3d4e5f"
TOPICS = [f"{USER}.pin", f"{USER}.geo", f"{USER}.user"]
SEED = int(os.environ.get("SINK_KILL9_SEED", "4242"))
KILLS = int(os.environ.get("SINK_KILL9_KILLS", "20"))
FLUSH = 7
PARTITIONS = 2
# The scheduler stays off: its batch run would write into the lake this test inspects.
ENV = {"PINPIPE_LOG_PARTITIONS": str(PARTITIONS), "PINPIPE_SINK_FLUSH_SIZE": str(FLUSH),
       "PINPIPE_SCHEDULER_ENABLED": "false"}
KEY_RE = re.compile(r"^topics/([^/]+)/partition=(\d+)/\1\+\2\+(\d{10,})\.json$")
BUCKET = "pinpipe-test"


class SinkKill9Test(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pinpipe-sink-kill9-")
        self.rng = random.Random(SEED)
        self.env = dict(os.environ, **ENV)
        self.server_env = dict(ENV)
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_pinpipe(self, *args, timeout=300):
        proc = subprocess.run([BIN, *args, "--data-dir", self.dir], env=self.env,
                              capture_output=True, timeout=timeout)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode(errors="replace"))
        return proc.stdout.decode()

    def start(self, args, log_name):
        log = open(os.path.join(self.dir, log_name), "ab")
        proc = subprocess.Popen([BIN, *args], env=self.env, stdout=log, stderr=log)
        log.close()
        self.procs.append(proc)
        return proc

    def sigkill(self, proc):
        os.kill(proc.pid, signal.SIGKILL)
        # A process inside fsync dies when the sync returns; that can take a while.
        self.assertEqual(proc.wait(timeout=60), -signal.SIGKILL)

    def stop_emulate(self, emulate):
        emulate.send_signal(signal.SIGTERM)
        try:
            emulate.wait(timeout=30)
        except subprocess.TimeoutExpired:
            emulate.kill()
            emulate.wait()

    def serve_and_emulate(self, incarnation):
        srv = PinpipeServer(env=self.server_env, data_dir=self.dir).start()
        emulate = self.start(["emulate", "--data-dir", self.dir, "--api", srv.url,
                              "--count", "100000000", "--concurrency", "2",
                              "--seed", str(SEED + incarnation)], f"emulate-{incarnation}.log")
        return srv, emulate

    # --- reading back -----------------------------------------------------------------------

    def topic_values(self, topic):
        out = self.run_pinpipe("consume", "--topic", topic, "--from-beginning",
                               "--print-offsets", "--timeout-ms", "0")
        parts = {p: [] for p in range(PARTITIONS)}
        for line in out.split("\n"):
            if not line:
                continue
            where, value = line.split("\t", 1)
            p, o = (int(x) for x in where.split(":"))
            self.assertEqual(o, len(parts[p]), f"{topic}/{p}: offsets are not dense from 0")
            parts[p].append(value)
        return parts

    def local_objects(self):
        """{key: bytes} of the local lake."""
        lake = os.path.join(self.dir, "lake")
        out = {}
        for dirpath, dirnames, filenames in os.walk(os.path.join(lake, "topics")):
            for name in filenames:
                path = os.path.join(dirpath, name)
                with open(path, "rb") as f:
                    out[os.path.relpath(path, lake)] = f.read()
        return out

    def s3_objects(self, s3):
        """{key: bytes} under s3://pinpipe-test/lake/, read with boto3 (a client not ours)."""
        client = boto3.client("s3", endpoint_url=s3.endpoint, region_name="us-east-1",
                              aws_access_key_id="S3RVER", aws_secret_access_key="S3RVER")
        out = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET,
                                                                      Prefix="lake/"):
            for o in page.get("Contents", []):
                body = client.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read()
                out[o["Key"][len("lake/"):]] = body
        return out

    def parse_objects(self, raw):
        """{(topic, partition): [(key, start offset, lines)]} in offset order."""
        objects = {}
        for key, body in raw.items():
            m = KEY_RE.match(key)
            self.assertIsNotNone(m, f"unexpected object {key}")
            data = body.decode()
            self.assertTrue(data.endswith("\n"), key)
            objects.setdefault((m.group(1), int(m.group(2))), []).append(
                (key, int(m.group(3)), data[:-1].split("\n")))
        for k in objects:
            objects[k].sort(key=lambda o: o[1])
        return objects

    # --- the test ---------------------------------------------------------------------------

    def test_local_lake(self):
        self.run_kills(self.local_objects, "local lake")

    def test_s3rver(self):
        with S3rver(buckets=[BUCKET]) as s3:
            lake = {"PINPIPE_LAKE_URL": f"s3://{BUCKET}/lake"}
            self.env = s3.env(dict(self.env, **lake))
            self.server_env = dict(s3.env({}), **self.server_env, **lake)
            self.run_kills(lambda: self.s3_objects(s3), "s3rver")

    def run_kills(self, read_store, store_name):
        started = time.monotonic()
        self.run_pinpipe("seed", "--rows", "3000")
        pauses = []
        sink_kills = 0
        for incarnation in range(KILLS):
            srv, emulate = self.serve_and_emulate(incarnation)
            pause = self.rng.uniform(0.3, 1.5)
            pauses.append(round(pause, 3))
            time.sleep(pause)
            self.assertIsNone(emulate.poll(), "emulate exited while its server was up")
            self.sigkill(srv.proc)
            srv.log.close()
            self.stop_emulate(emulate)
            if incarnation % 2 == 1:
                sink = self.start(["sink", "--data-dir", self.dir], "sink.log")
                time.sleep(self.rng.uniform(0.2, 1.0))
                if sink.poll() is not None:
                    with open(os.path.join(self.dir, "sink.log")) as f:
                        self.fail("pinpipe sink exited early: " + f.read()[-2000:])
                self.sigkill(sink)
                sink_kills += 1

        # A last incarnation under load, stopped gracefully (the sink service stops with it),
        # then --once drains what is left and cuts the open objects.
        srv, emulate = self.serve_and_emulate(KILLS)
        time.sleep(1.0)
        self.stop_emulate(emulate)
        self.assertEqual(srv.stop(signal.SIGTERM), 0, srv.read_log()[-2000:])
        summary = self.run_pinpipe("sink", "--once")
        self.assertIn("drained", summary)

        objects = self.parse_objects(read_store())
        total_records, total_objects = 0, 0
        for topic in TOPICS:
            values = self.topic_values(topic)
            for p in range(PARTITIONS):
                want = values[p]
                got = []
                objs = objects.get((topic, p), [])
                for i, (key, start, lines) in enumerate(objs):
                    self.assertEqual(start, len(got), f"{key}: gap or overlap before it")
                    if i + 1 < len(objs):
                        self.assertEqual(len(lines), FLUSH, f"{key}: not a flush_size cut")
                    got.extend(lines)
                self.assertEqual(len(got), len(want), f"{topic}/{p}: records in the store")
                for o, (g, w) in enumerate(zip(got, want)):
                    self.assertEqual(g, w, f"{topic}/{p}@{o} differs")
                total_records += len(want)
                total_objects += len(objs)
        self.assertGreater(total_records, 500, "too little load to mean anything")
        for topic in TOPICS:
            rest = self.run_pinpipe("consume", "--topic", topic, "--group", "connect-s3-sink",
                                    "--from-beginning", "--timeout-ms", "0")
            self.assertEqual(rest, "", f"{topic}: the group is committed at the end")
        print(f"\nsink kill9 ({store_name}): {KILLS} kills of up (pauses {pauses}), {sink_kills} kills of "
              f"pinpipe sink; {total_records} records in {total_objects} objects, each once; "
              f"{time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
