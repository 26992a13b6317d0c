#!/usr/bin/python3
"""`pinpipe demo` end to end (issue 3, point 6; the README's `make demo`), checked from outside.

The demo seeds the source database, starts the API over the embedded log in-process, emulates
500 posts through HTTP to the three topics, prints the records read back per topic, sinks them
into the lake and runs the batch job. This test runs it in a fresh data directory, then reads
what it left with the binary's other commands (consume, store ls, query) and checks that those
agree with what the demo printed: every post is in each topic once, as the emulator sends it,
every record is in the lake as one object, and the cleaned tables hold the rows the batch
reported.

Run by CTest with PINPIPE_BINARY set; also runnable by hand:
  PINPIPE_BINARY=build/debug/pinpipe tests/integration/demo_test.py
"""
import json
import os
import re
import subprocess
import tempfile
import unittest

BIN = os.environ.get("PINPIPE_BINARY", "build/debug/pinpipe")
USER = "0a1b2c3d4e5f"
POSTS = 500
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def run(data, *args):
    proc = subprocess.run([BIN, "--data-dir", data, *args], capture_output=True, text=True,
                          timeout=300)
    if proc.returncode != 0:
        raise AssertionError(f"pinpipe {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc.stdout


class DemoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.data = os.path.join(cls.tmp.name, "data")
        cls.out = run(cls.data, "demo")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_runs_the_five_stages_and_sends_every_post(self):
        for stage in ("1/5  seed", "2/5  up", "3/5  emulate", "4/5  sink", "5/5  batch"):
            self.assertIn(f"== {stage}", self.out)
        self.assertRegex(self.out, rf"{POSTS} posts sent as {3 * POSTS} HTTP requests in .* 0 failed")
        for table in ("pin", "geo", "user"):
            self.assertRegex(self.out, rf"{USER}\.{table} +{POSTS} records\n")

    def test_each_topic_holds_every_post_once_as_the_emulator_sent_it(self):
        keys = {}
        for table, key in (("pin", "index"), ("geo", "ind"), ("user", "ind")):
            lines = run(self.data, "consume", "--topic", f"{USER}.{table}", "--from-beginning",
                        "--timeout-ms", "1000").splitlines()
            values = [json.loads(line) for line in lines]
            self.assertEqual(len(values), POSTS, table)
            keys[table] = sorted(v[key] for v in values)
            for v in values:
                self.assertIsInstance(v[key], int, table)
                if table == "geo":
                    self.assertRegex(v["timestamp"], DATETIME)
                    self.assertIsInstance(v["latitude"], float)
                if table == "user":
                    self.assertRegex(v["date_joined"], DATETIME)
        # The three records of a post come from one drawn row offset: the same keys in each.
        self.assertEqual(keys["pin"], keys["geo"])
        self.assertEqual(keys["pin"], keys["user"])

    def test_the_lake_holds_one_object_per_record(self):
        listing = run(self.data, "store", "ls").splitlines()
        for table in ("pin", "geo", "user"):
            objects = [l for l in listing if l.startswith(f"topics/{USER}.{table}/partition=0/")]
            self.assertEqual(len(objects), POSTS, table)
            self.assertRegex(self.out, rf"{USER}\.{table} +{POSTS} records in {POSTS} objects")

    def test_cleaned_tables_hold_the_rows_the_batch_reported(self):
        for table in ("pin", "geo", "user"):
            m = re.search(rf"cleaned_{table}: {POSTS} objects, (\d+) rows added", self.out)
            self.assertIsNotNone(m, table)
            rows = json.loads(run(self.data, "query", "--format", "json",
                                  f"SELECT count(*) AS n FROM cleaned_{table}").splitlines()[0])
            self.assertEqual(rows["n"], int(m.group(1)), table)
            self.assertGreater(rows["n"], 0)

    def test_every_analysis_is_printed_and_in_the_lake(self):
        sql_dir = os.path.join(os.path.dirname(__file__), "..", "..", "sql", "analysis")
        names = sorted(f[:-4] for f in os.listdir(sql_dir) if f.endswith(".sql"))
        self.assertEqual(len(names), 9)
        printed = re.findall(r"^analysis_(\w+)(?: \(first \d+ of \d+ rows\))?$", self.out,
                             re.MULTILINE)
        self.assertEqual(sorted(printed), names)
        for name in names:
            rows = json.loads(run(self.data, "query", "--format", "json",
                                  f"SELECT count(*) AS n FROM analysis_{name}").splitlines()[0])
            self.assertGreater(rows["n"], 0, name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
