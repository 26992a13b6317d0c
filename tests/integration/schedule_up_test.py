#!/usr/bin/python3
"""A real `pinpipe up` with the batch job on `*/1 * * * *` runs it every minute on freshly
emulated data, and `pinpipe schedule history` shows the runs (issue 6, Done-when 2).

Real time, no test knob: Airflow semantics hold, so the run for minute M starts once M+1 has
begun. The test waits for three scheduled runs, about 2-3 minutes.

The job: `pinpipe batch --date {ds}` when this build has the `batch` command. Without it, the
job is a shell command (jobs.batch.command) that counts the raw objects the sink has written
to the lake so far and prints them as its JSON summary - the same hand-over of fresh data,
without the batch.

Run by CTest with PINPIPE_BINARY set; also by hand:
  PINPIPE_BINARY=build/debug/pinpipe tests/integration/schedule_up_test.py
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

BIN = os.environ.get("PINPIPE_BINARY", "build/debug/pinpipe")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "compat"))
from pinpipe_server import PinpipeServer  # noqa: E402

USER = "0a1b2c3d4e5f"


def has_batch():
    out = subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout
    return any(line.split()[:1] == ["batch"] for line in out.splitlines())


class ScheduleUpTest(unittest.TestCase):
    def test_every_minute_on_fresh_data_and_history_shows_it(self):
        env = {
            "PINPIPE_JOBS_BATCH_SCHEDULE": "*/1 * * * *",
            "PINPIPE_JOBS_BATCH_RETRY_DELAY_S": "5",
            "PINPIPE_SCHEDULER_POLL_MS": "200",
            "PINPIPE_SCHEDULER_ENABLED": "true",  # PinpipeServer turns it off by default
        }
        data = tempfile.mkdtemp(prefix="pinpipe-schedule-")
        self.addCleanup(shutil.rmtree, data, True)
        srv = PinpipeServer(env=env, data_dir=data)
        if not has_batch():
            lake = os.path.join(data, "lake")
            env["PINPIPE_JOBS_BATCH_COMMAND"] = (
                f"n=$(find {lake} -type f -name '*.json' 2>/dev/null | wc -l); "
                'echo "counting raw objects for {data_interval_start}"; '
                'echo "{\\"ds\\": \\"{ds}\\", \\"logical_date\\": \\"{logical_date}\\", \\"raw_objects\\": $n}"')
            srv.env.update(env)
        subprocess.run([BIN, "seed", "--data-dir", data, "--rows", "500"], check=True,
                       capture_output=True, timeout=120)
        all_env = dict(os.environ, **env)

        def schedule(*args, check=True):
            p = subprocess.run([BIN, "schedule", *args, "--data-dir", data], env=all_env,
                               capture_output=True, text=True, timeout=300)
            if check and p.returncode != 0:
                raise AssertionError(f"schedule {args} exited {p.returncode}: {p.stderr}")
            return p

        with srv:
            emulator = subprocess.Popen(
                [BIN, "emulate", "--data-dir", data, "--api", srv.url, "--rate", "2"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                runs = []
                deadline = time.time() + 240
                while time.time() < deadline:
                    body = json.loads(urllib.request.urlopen(srv.url + "/api/schedule").read())
                    runs = [r for r in body["runs"]
                            if r["run_type"] == "scheduled" and r["state"] == "success"]
                    if len(runs) >= 3:
                        break
                    time.sleep(1)
                self.assertGreaterEqual(len(runs), 3, srv.read_log())
                runs.sort(key=lambda r: r["logical_date"])
                # One run per minute: consecutive logical dates, each a one-minute interval,
                # each started after its interval ended.
                for a, b in zip(runs, runs[1:]):
                    self.assertEqual(a["data_interval_end"], b["logical_date"])
                for r in runs:
                    self.assertEqual(r["logical_date"], r["data_interval_start"])
                    self.assertGreaterEqual(r["start_date"], r["data_interval_end"])
                    self.assertIsNotNone(r["summary"], r)
                if not has_batch():
                    counts = [r["summary"]["raw_objects"] for r in runs]
                    self.assertGreater(counts[-1], counts[0], counts)  # fresh data each minute
                    self.assertEqual(runs[0]["summary"]["ds"], runs[0]["ds"])

                # The history command shows them, one line per run.
                lines = schedule("history", "--job", "batch").stdout.splitlines()
                for r in runs:
                    self.assertTrue(any(r["logical_date"] in l and "success" in l for l in lines),
                                    (r["logical_date"], lines))

                # Trigger while `up` runs: handed over, waited for, exit 0.
                p = schedule("trigger", "batch")
                self.assertIn("handed over", p.stderr)
                self.assertIn("success", p.stdout)
                self.assertIn("manual", p.stdout)

                metrics = urllib.request.urlopen(srv.url + "/metrics").read().decode()
                self.assertIn('pinpipe_scheduler_runs{job="batch",state="success"}', metrics)
                self.assertIn('pinpipe_scheduler_last_run_success{job="batch"} 1', metrics)
            finally:
                emulator.terminate()
                emulator.wait(timeout=30)
            self.assertEqual(srv.stop(), 0, srv.read_log())

        # With `up` gone, trigger runs in this process: clear a date and it runs here again.
        d = runs[0]["logical_date"]
        p = schedule("clear", "batch", "--date", d)
        self.assertNotIn("handed over", p.stderr)
        self.assertIn("try 2/3", p.stdout)
        self.assertIn("success", p.stdout)
        # One run per logical date: triggering an existing date is refused.
        p = schedule("trigger", "batch", "--date", d, check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("clear", p.stderr)


if __name__ == "__main__":
    unittest.main()
