#!/usr/bin/python3
"""Process-level crash test: `kill -9` a real `pinpipe up` under load, 20 times, and check
that the topic log keeps every promise of SPEC.md §10 ("a 200 means durable").

Load: PRODUCERS python threads POST pin records (single records and keyless batches of 2-8)
whose values carry unique ids, logging every record that got a 200 with its (partition,
offset); `pinpipe emulate --count <large>` runs alongside as background load. At a random
(seeded) moment the server is SIGKILLed and restarted on the same data dir (new port).
At the end the server is stopped gracefully and the topic is read back with
`pinpipe consume --from-beginning --print-offsets --timeout-ms 0`. Asserted:
  - every restart comes up healthy, recreates no topic, and its end offsets cover every
    record acknowledged before the kill;
  - every acknowledged record is stored exactly once, at exactly its acknowledged offset;
  - offsets are dense per partition, and what consume returns matches the end offsets;
  - every stored value is a complete JSON record some producer sent (ours byte-for-byte as
    JSON; the emulator's equal to a source row);
  - the records of one batch are contiguous in one partition; an unacknowledged batch is
    stored whole or not at all (docs/log_format.md §7: "never half").

Run by CTest with PINPIPE_BINARY set; by hand:
  PINPIPE_BINARY=build/release/pinpipe tests/fault/kill9_test.py
Env: KILL9_SEED (random seed, default 20240), KILL9_KILLS (default 20).
"""
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat"))
from pinpipe_server import BIN, PinpipeServer  # noqa: E402

USER = "0a1b2c3d4e5f"
PIN_TOPIC = f"{USER}.pin"
V2_JSON = "application/vnd.kafka.json.v2+json"
SEED = int(os.environ.get("KILL9_SEED", "20240"))
KILLS = int(os.environ.get("KILL9_KILLS", "20"))
PRODUCERS = 4
PARTITIONS = 2
# Small segments so that kills also land around segment rolls and recovery scans many files.
SERVER_ENV = {"PINPIPE_LOG_PARTITIONS": str(PARTITIONS), "PINPIPE_LOG_SEGMENT_BYTES": "262144"}
PIN_KEYS = ["index", "unique_id", "title", "description", "poster_name", "follower_count",
            "tag_list", "is_image_or_video", "image_src", "downloaded", "save_location",
            "category"]
GEO_KEYS = ["ind", "timestamp", "latitude", "longitude", "country"]
USER_KEYS = ["ind", "first_name", "last_name", "age", "date_joined"]
OURS = "kill9-"  # unique_id prefix of this test's records; the emulator's are UUIDs
WORDS = ["fashion", "travel", "quotes", "diy", "tattoos", "beauty", "art", "vehicles",
         "education", "christmas", "home", "decor", "event", "planning", "finance"]


def make_pin(pid, seq, rng):
    """A valid pin record (~450-800 bytes of JSON) whose unique_id names it."""
    return {
        "index": 1_000_000 + pid * 1_000_000_000 + seq,
        "unique_id": f"{OURS}{pid}-{seq}",
        "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12))),
        "description": " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 60))),
        "poster_name": f"poster {pid}",
        "follower_count": f"{rng.randint(0, 999)}k",
        "tag_list": ",".join(rng.sample(WORDS, 5)),
        "is_image_or_video": rng.choice(["image", "video", "multi-video(story page format)"]),
        "image_src": f"https://i.pinimg.com/originals/{pid:02d}/{seq:08d}.jpg",
        "downloaded": rng.randint(0, 1),
        "save_location": "Local save in /data/" + rng.choice(WORDS),
        "category": rng.choice(WORDS),
    }


class Request:
    """One POST: its records, and what the server said (positions only when all were acked)."""

    def __init__(self, values):
        self.values = values
        self.positions = None  # [(partition, offset)] when the whole request got a 200
        self.outcome = "pending"


class Kill9Test(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pinpipe-kill9-")
        self.rng = random.Random(SEED)
        self.lock = threading.Lock()
        self.requests = []  # every Request any producer made
        self.acked_count = 0
        self.bad_responses = []  # HTTP responses other than a full 200
        self.current = None  # (url, incarnation) while a server is serving
        self.serving = threading.Event()
        self.stop_producers = threading.Event()
        self.threads = []
        self.server = None
        self.emulates = []  # every `pinpipe emulate` started (one per server incarnation)

    def tearDown(self):
        self.stop_producers.set()
        for t in self.threads:
            t.join(timeout=20)
        self.reap_emulates(10)
        if self.server and self.server.proc and self.server.proc.poll() is None:
            self.server.proc.kill()
            self.server.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- load -------------------------------------------------------------------------------

    def producer(self, pid):
        rng = random.Random(SEED * 1000 + pid)
        seq = 0
        session, incarnation = None, None
        deadline = time.monotonic() + 600
        while not self.stop_producers.is_set() and time.monotonic() < deadline:
            if not self.serving.wait(0.1):
                continue
            current = self.current
            if current is None:
                continue
            url, inc = current
            if inc != incarnation:
                session, incarnation = requests.Session(), inc
            n = 1 if rng.random() < 0.5 else rng.randint(2, 8)
            req = Request([make_pin(pid, seq + i, rng) for i in range(n)])
            seq += n
            with self.lock:
                self.requests.append(req)
            body = json.dumps({"records": [{"value": v} for v in req.values]})
            try:
                resp = session.post(f"{url}/topics/{PIN_TOPIC}", data=body,
                                    headers={"Content-Type": V2_JSON}, timeout=(2, 30))
            except requests.RequestException as e:
                req.outcome = f"no response: {type(e).__name__}"
                session = requests.Session()
                continue
            offsets = []
            if resp.status_code == 200:
                offsets = resp.json()["offsets"]
            if (resp.status_code == 200 and len(offsets) == n and
                    all(o["error_code"] is None for o in offsets)):
                with self.lock:
                    req.positions = [(o["partition"], o["offset"]) for o in offsets]
                    req.outcome = "acked"
                    self.acked_count += n
            else:
                req.outcome = f"HTTP {resp.status_code}"
                with self.lock:
                    self.bad_responses.append((resp.status_code, resp.text[:300]))

    def start_emulate(self, url, incarnation):
        log = open(os.path.join(self.dir, f"emulate-{incarnation}.log"), "wb")
        self.emulates.append(subprocess.Popen(
            [BIN, "emulate", "--data-dir", self.dir, "--api", url, "--count", "100000000",
             "--concurrency", "2", "--seed", str(SEED + incarnation)],
            stdout=log, stderr=log))
        log.close()

    def reap_emulates(self, seconds):
        """Stops every emulator (SIGTERM) and returns their exit codes.

        An emulator whose server was killed retries each queued post with backoff before it
        exits, so emulators are told to stop as soon as their server dies (stop_emulate) and
        only waited for here, at the end."""
        deadline = time.monotonic() + seconds
        codes = []
        for e in self.emulates:
            if e.poll() is None:
                e.send_signal(signal.SIGTERM)
        for e in self.emulates:
            try:
                e.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                e.kill()
                e.wait()
            codes.append(e.returncode)
        self.emulates = []
        return codes

    def stop_emulate(self):
        if self.emulates and self.emulates[-1].poll() is None:
            self.emulates[-1].send_signal(signal.SIGTERM)

    # --- server lifecycle -------------------------------------------------------------------

    def start_server(self, incarnation):
        before = os.path.getsize(self.up_log()) if os.path.exists(self.up_log()) else 0
        # start() raises (failing the test) unless the server answers /healthz.
        srv = PinpipeServer(env=SERVER_ENV, data_dir=self.dir).start()
        self.server = srv
        with open(self.up_log(), "rb") as f:
            f.seek(before)
            startup = f.read().decode(errors="replace")
        if incarnation > 0:
            # Recovery must find the topics; recreating one would mean its data is gone.
            self.assertNotIn("created topic", startup, startup)
        return srv

    def kill_wait(self, srv):
        # A process inside fdatasync dies only when the sync returns; that can take a while on
        # a busy disk.
        code = srv.proc.wait(timeout=60)
        srv.log.close()
        return code

    def up_log(self):
        return os.path.join(self.dir, "up.log")

    def end_offsets(self, url, topic=PIN_TOPIC):
        out = {}
        for p in range(PARTITIONS):
            r = requests.get(f"{url}/topics/{topic}/partitions/{p}/offsets", timeout=10)
            self.assertEqual(r.status_code, 200, r.text)
            out[p] = r.json()["end_offset"]
        return out

    def acked_max_offsets(self):
        top = {}
        with self.lock:
            for req in self.requests:
                for p, o in req.positions or ():
                    top[p] = max(top.get(p, -1), o)
        return top

    def wait_for_acks(self, at_least, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if self.acked_count >= at_least:
                    return True
            time.sleep(0.01)
        return False

    # --- reading back -----------------------------------------------------------------------

    def consume(self, topic):
        proc = subprocess.run(
            [BIN, "consume", "--data-dir", self.dir, "--topic", topic, "--from-beginning",
             "--print-offsets", "--timeout-ms", "0"],
            capture_output=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode(errors="replace"))
        stored = []  # (partition, offset, value text)
        for line in proc.stdout.decode().split("\n"):
            if not line:
                continue
            where, value = line.split("\t", 1)
            p, o = where.split(":")
            stored.append((int(p), int(o), value))
        return stored

    def source_rows(self):
        db = sqlite3.connect(os.path.join(self.dir, "source.db"))
        try:
            cur = db.execute("SELECT * FROM pinterest_data")
            names = [d[0] for d in cur.description]
            pins = {json.dumps(dict(zip(names, row)), sort_keys=True) for row in cur}
            geo_ind = {r[0] for r in db.execute("SELECT ind FROM geolocation_data")}
            user_ind = {r[0] for r in db.execute("SELECT ind FROM user_data")}
        finally:
            db.close()
        return pins, geo_ind, user_ind

    # --- the test ---------------------------------------------------------------------------

    def test_acked_records_survive_kill9(self):
        started = time.monotonic()
        seeded = subprocess.run([BIN, "seed", "--data-dir", self.dir], capture_output=True,
                                timeout=120)
        self.assertEqual(seeded.returncode, 0, seeded.stderr)
        for pid in range(PRODUCERS):
            t = threading.Thread(target=self.producer, args=(pid,), daemon=True)
            t.start()
            self.threads.append(t)

        kill_times = []
        for incarnation in range(KILLS + 1):
            srv = self.start_server(incarnation)
            if incarnation > 0:
                # Everything acknowledged before the kill is there after recovery.
                ends = self.end_offsets(srv.url)
                for p, top in self.acked_max_offsets().items():
                    self.assertGreater(ends[p], top, f"restart {incarnation}: partition {p} "
                                       f"ends at {ends[p]} but offset {top} was acknowledged")
            self.start_emulate(srv.url, incarnation)
            with self.lock:
                acked_before = self.acked_count
            self.current = (srv.url, incarnation)
            self.serving.set()
            if incarnation == KILLS:
                break
            # Kill only a server that is serving our producers; then at a random moment.
            self.assertTrue(self.wait_for_acks(acked_before + 1, 60),
                            f"incarnation {incarnation} acknowledged nothing in 60 s: "
                            + srv.read_log()[-2000:])
            pause = self.rng.uniform(0.2, 1.8)
            kill_times.append(round(pause, 3))
            time.sleep(pause)
            self.assertIsNone(self.emulates[-1].poll(), "emulate exited while its server was up")
            os.kill(srv.proc.pid, signal.SIGKILL)
            self.serving.clear()
            self.assertEqual(self.kill_wait(srv), -signal.SIGKILL)
            self.stop_emulate()

        # Load on the last incarnation too, then a graceful stop.
        self.assertTrue(self.wait_for_acks(acked_before + 1, 60))
        time.sleep(self.rng.uniform(0.2, 1.8))
        self.assertIsNone(self.emulates[-1].poll(), "emulate exited while its server was up")
        self.stop_producers.set()
        for t in self.threads:
            t.join(timeout=60)
            self.assertFalse(t.is_alive(), "a producer did not stop")
        # The emulators saw their servers vanish: each must stop on SIGTERM, never crash
        # (one told to stop before it installed its handler dies of the SIGTERM itself).
        for code in self.reap_emulates(60):
            self.assertIn(code, (0, 1, -signal.SIGTERM), "an emulate crashed or hung")
        final_ends = self.end_offsets(self.server.url)
        self.serving.clear()
        self.assertEqual(self.server.stop(signal.SIGTERM), 0, self.server.read_log()[-2000:])

        stored = self.consume(PIN_TOPIC)
        unacked_stored = self.check_pin_topic(stored, final_ends)
        pins, geo_ind, user_ind = self.source_rows()
        self.check_emulated(stored, pins, geo_ind, user_ind)

        with self.lock:
            outcomes = {}
            for req in self.requests:
                key = req.outcome.split(":")[0]
                outcomes[key] = outcomes.get(key, 0) + 1
        print(f"\nkill9: seed {SEED}, {KILLS} kills after {kill_times} s of load; "
              f"{len(self.requests)} requests {outcomes} ({unacked_stored} unacknowledged ones "
              f"stored whole), {self.acked_count} records acked, "
              f"{len(stored)} stored in {PIN_TOPIC}; {time.monotonic() - started:.1f} s",
              file=sys.stderr)
        # A live server answers every well-formed produce with a full 200.
        self.assertEqual(self.bad_responses, [])

    def check_pin_topic(self, stored, final_ends):
        # Dense offsets from 0 in every partition, and exactly what the server reported.
        by_partition = {}
        for p, o, _ in stored:
            by_partition.setdefault(p, []).append(o)
        for p in range(PARTITIONS):
            offsets = by_partition.get(p, [])
            self.assertEqual(offsets, list(range(len(offsets))), f"partition {p} not dense")
            self.assertEqual(len(offsets), final_ends[p], f"partition {p} end offset")

        # Every value is complete JSON; ours appear at most once each, exactly as sent.
        at = {}  # (p, o) -> our unique_id
        where = {}  # our unique_id -> (p, o)
        for p, o, text in stored:
            value = json.loads(text)  # a half-written record would not parse
            self.assertIsInstance(value, dict, text)
            self.assertEqual(list(value.keys()), PIN_KEYS, text)
            uid = value["unique_id"]
            if isinstance(uid, str) and uid.startswith(OURS):
                self.assertNotIn(uid, where, f"{uid} stored twice: {where.get(uid)} and {(p, o)}")
                where[uid] = (p, o)
                at[(p, o)] = (uid, value)

        sent = {}
        with self.lock:
            requests_made = list(self.requests)
        for req in requests_made:
            for v in req.values:
                sent[v["unique_id"]] = v
        for uid, value in at.values():
            self.assertIn(uid, sent, f"stored record {uid} was never sent")
            self.assertEqual(value, sent[uid], f"{uid} stored differently from what was sent")

        acked, unacked_stored = 0, 0
        for req in requests_made:
            ids = [v["unique_id"] for v in req.values]
            if req.positions is not None:
                # Acknowledged: present, at exactly its acknowledged offsets, contiguous.
                acked += len(ids)
                for uid, pos in zip(ids, req.positions):
                    self.assertEqual(where.get(uid), pos, f"acked {uid} at {pos}, stored at "
                                     f"{where.get(uid)}")
                p0, o0 = req.positions[0]
                self.assertEqual(req.positions, [(p0, o0 + i) for i in range(len(ids))],
                                 f"acked batch {ids} not contiguous")
            else:
                # Not acknowledged: the whole batch, contiguous, or none of it.
                present = [where.get(uid) for uid in ids]
                if all(w is None for w in present):
                    continue
                self.assertNotIn(None, present, f"unacked batch {ids} half stored: {present}")
                unacked_stored += 1
                p0, o0 = present[0]
                self.assertEqual(present, [(p0, o0 + i) for i in range(len(ids))],
                                 f"unacked batch {ids} not contiguous: {present}")
        self.assertGreater(acked, 0)
        return unacked_stored

    def check_emulated(self, stored, pins, geo_ind, user_ind):
        # The emulator's pins are source rows, verbatim.
        emulated = 0
        for _, _, text in stored:
            value = json.loads(text)
            if str(value["unique_id"]).startswith(OURS):
                continue
            emulated += 1
            self.assertIn(json.dumps(value, sort_keys=True), pins, f"not a source row: {text}")
        self.assertGreater(emulated, 0, "the emulator's posts never landed")
        # Its geo and user records: complete JSON with the original's fields, dense offsets.
        for topic, keys, inds in ((f"{USER}.geo", GEO_KEYS, geo_ind),
                                  (f"{USER}.user", USER_KEYS, user_ind)):
            rows = self.consume(topic)
            per = {}
            for p, o, text in rows:
                per.setdefault(p, []).append(o)
                value = json.loads(text)
                self.assertEqual(list(value.keys()), keys, text)
                self.assertIn(value["ind"], inds, text)
            for p, offsets in per.items():
                self.assertEqual(offsets, list(range(len(offsets))), f"{topic}/{p} not dense")


if __name__ == "__main__":
    unittest.main()
