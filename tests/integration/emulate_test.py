#!/usr/bin/python3
"""End to end through the real binary: seed a SQLite source, then emulate like the original.

Run by CTest with PINPIPE_BINARY set; also runnable by hand:
  PINPIPE_BINARY=build/debug/pinpipe tests/integration/emulate_test.py
"""
import ast
import json
import os
import sys
import re
import subprocess
import tempfile
import unittest

BIN = os.environ.get("PINPIPE_BINARY", "build/debug/pinpipe")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "compat"))
from pinpipe_server import PinpipeServer  # noqa: E402


def run(*args, check=True):
    proc = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} exited {proc.returncode}: {proc.stderr}")
    return proc


def parse_python_dict(line):
    # The lines are Python reprs; datetimes become strings so ast can read them.
    line = re.sub(r"datetime\.datetime\(([\d, ]+)\)", lambda m: repr(m.group(0)), line)
    return ast.literal_eval(line)


class EmulateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.data = cls.tmp.name
        run("seed", "--data-dir", cls.data)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_python_seed_100_prints_the_originals_rows(self):
        out = run("emulate", "--data-dir", self.data, "--python-seed", "100", "--print",
                  "--count", "5").stdout.splitlines()
        self.assertEqual(len(out), 15)
        pins = [parse_python_dict(l) for l in out[0::3]]
        geos = [parse_python_dict(l) for l in out[1::3]]
        users = [parse_python_dict(l) for l in out[2::3]]
        self.assertEqual([p["index"] for p in pins], [7528, 2863, 5730, 8304, 8731])
        self.assertEqual([g["ind"] for g in geos], [7528, 2863, 5730, 8304, 8731])
        self.assertEqual([u["ind"] for u in users], [7528, 2863, 5730, 8304, 8731])
        self.assertEqual(list(pins[0].keys()),
                         ["index", "unique_id", "title", "description", "poster_name",
                          "follower_count", "tag_list", "is_image_or_video", "image_src",
                          "downloaded", "save_location", "category"])
        self.assertEqual(list(geos[0].keys()),
                         ["ind", "timestamp", "latitude", "longitude", "country"])
        self.assertEqual(list(users[0].keys()),
                         ["ind", "first_name", "last_name", "age", "date_joined"])
        self.assertRegex(geos[0]["timestamp"], r"^datetime\.datetime\(20\d\d, ")

    def test_same_rows_as_a_direct_sqlite_read(self):
        import sqlite3
        out = run("emulate", "--data-dir", self.data, "--python-seed", "100", "--print",
                  "--count", "3").stdout.splitlines()
        db = sqlite3.connect(os.path.join(self.data, "source.db"))
        for line, offset in zip(out[0::3], [7528, 2863, 5730]):
            cur = db.execute("SELECT * FROM pinterest_data LIMIT ?, 1", (offset,))
            names = [d[0] for d in cur.description]
            row = dict(zip(names, cur.fetchone()))
            self.assertEqual(parse_python_dict(line), row)

    def test_fast_draw_is_deterministic(self):
        a = run("emulate", "--data-dir", self.data, "--seed", "9", "--print", "--count", "20").stdout
        b = run("emulate", "--data-dir", self.data, "--seed", "9", "--print", "--count", "20").stdout
        self.assertEqual(a, b)
        self.assertEqual(len(a.splitlines()), 60)

    def test_api_mode_delivers_every_post_to_the_three_topics(self):
        with PinpipeServer() as srv:
            proc = run("emulate", "--data-dir", self.data, "--api", srv.url, "--count", "60",
                       "--concurrency", "4", "--batch", "5", "--python-seed", "100")
            self.assertIn("60 posts acknowledged (180 records), 0 failed", proc.stderr)
            srv.stop()
            expected = run("emulate", "--data-dir", self.data, "--python-seed", "100", "--print",
                           "--count", "60").stdout.splitlines()
            want = sorted(parse_python_dict(l)["index"] for l in expected[0::3])
            for table, key in (("pin", "index"), ("geo", "ind"), ("user", "ind")):
                out = run("consume", "--data-dir", srv.data_dir, "--topic",
                          f"0a1b2c3d4e5f.{table}", "--from-beginning", "--timeout-ms", "0").stdout
                got = sorted(json.loads(l)[key] for l in out.splitlines())
                self.assertEqual(got, want, table)

    def test_api_mode_counts_refused_posts(self):
        with PinpipeServer() as srv:
            proc = run("emulate", "--data-dir", self.data, "--api", srv.url + "/nowhere",
                       "--count", "3", check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("3 failed", proc.stderr)
        self.assertIn("HTTP 404", proc.stderr)

    def test_no_destination_is_a_usage_error(self):
        proc = run("emulate", "--data-dir", self.data, "--count", "1", check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--print", proc.stderr)

    def test_missing_source_is_a_clear_error(self):
        with tempfile.TemporaryDirectory() as empty:
            proc = run("emulate", "--data-dir", empty, "--print", "--count", "1", check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertRegex(proc.stderr, r"^pinpipe emulate: .*")
        self.assertEqual(proc.stdout, "")


if __name__ == "__main__":
    unittest.main(verbosity=2)
