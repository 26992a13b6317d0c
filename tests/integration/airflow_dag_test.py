#!/usr/bin/python3
"""The Airflow DAG file (deploy/airflow/<user_id>_dag.py) loads and says what the issue asks:
DAG id <user_id>_dag, @daily, catchup=False, retries 1 after 2 minutes, one BashOperator
running `pinpipe batch --date {{ ds }}`; and its Databricks variant uses
DatabricksSubmitRunOperator with the notebook.

Airflow itself cannot be installed on these machines, so this test loads the file against a
minimal STAND-IN for the `airflow` package (written to a temp dir below): DAG (a context
manager that collects tasks), BashOperator and DatabricksSubmitRunOperator recording their
arguments. It checks the file's contents and its use of the Airflow API, not Airflow's
behaviour (docs/scheduler.md compares the two schedulers).

Run by CTest with PINPIPE_BINARY set; also by hand:
  PINPIPE_BINARY=build/debug/pinpipe tests/integration/airflow_dag_test.py
"""
import datetime
import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest

BIN = os.path.abspath(os.environ.get("PINPIPE_BINARY", "build/debug/pinpipe"))
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
COMMITTED = os.path.join(ROOT, "deploy", "airflow", "0a1b2c3d4e5f_dag.py")

STUB = {
    "airflow/__init__.py": '''
class DAG:
    current = None
    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.tasks = []
    def __enter__(self):
        DAG.current = self
        return self
    def __exit__(self, *exc):
        DAG.current = None
''',
    "airflow/models/__init__.py": "",
    "airflow/operators/__init__.py": "",
    "airflow/operators/bash.py": '''
from airflow import DAG
class BashOperator:
    def __init__(self, task_id, bash_command, **kwargs):
        self.task_id, self.bash_command, self.kwargs = task_id, bash_command, kwargs
        DAG.current.tasks.append(self)
''',
    "airflow/providers/__init__.py": "",
    "airflow/providers/databricks/__init__.py": "",
    "airflow/providers/databricks/operators/__init__.py": "",
    "airflow/providers/databricks/operators/databricks.py": '''
from airflow import DAG
class DatabricksSubmitRunOperator:
    def __init__(self, task_id, **kwargs):
        self.task_id, self.kwargs = task_id, kwargs
        DAG.current.tasks.append(self)
''',
}


class AirflowDagTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        stub_root = os.path.join(cls.tmp.name, "stub")
        for path, text in STUB.items():
            full = os.path.join(stub_root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write(text)
        sys.path.insert(0, stub_root)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def load(self, path, replace=None):
        with open(path) as f:
            source = f.read()
        if replace:
            source = source.replace(*replace)
        module_path = os.path.join(self.tmp.name, "dag_under_test.py")
        with open(module_path, "w") as f:
            f.write(source)
        spec = importlib.util.spec_from_file_location("dag_under_test", module_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.dag

    def check_dag(self, dag, user_id):
        self.assertEqual(dag.dag_id, f"{user_id}_dag")
        self.assertEqual(dag.kwargs["schedule"], "@daily")
        self.assertIs(dag.kwargs["catchup"], False)
        self.assertEqual(dag.kwargs["max_active_runs"], 1)
        args = dag.kwargs["default_args"]
        self.assertEqual(args["retries"], 1)
        self.assertEqual(args["retry_delay"], datetime.timedelta(minutes=2))
        self.assertEqual(len(dag.tasks), 1)
        return dag.tasks[0]

    def test_committed_dag(self):
        task = self.check_dag(self.load(COMMITTED), "0a1b2c3d4e5f")
        self.assertEqual(type(task).__name__, "BashOperator")
        self.assertEqual(task.bash_command, "pinpipe --data-dir ./pinpipe-data batch --date {{ ds }}")

    def test_databricks_variant(self):
        dag = self.load(COMMITTED, ('TASK_RUNNER = "pinpipe"', 'TASK_RUNNER = "databricks"'))
        task = self.check_dag(dag, "0a1b2c3d4e5f")
        self.assertEqual(type(task).__name__, "DatabricksSubmitRunOperator")
        self.assertEqual(task.kwargs["notebook_task"]["base_parameters"], {"date": "{{ ds }}"})
        self.assertIn("notebook_path", task.kwargs["notebook_task"])

    def test_airflow_dag_command_writes_it_for_the_configured_user_and_paths(self):
        out = os.path.join(self.tmp.name, "out")
        data = os.path.join(self.tmp.name, "data dir")  # a space: the command must quote it
        env = dict(os.environ, PINPIPE_USER_ID="feedc0ffee42")
        p = subprocess.run([BIN, "--data-dir", data, "airflow-dag", "--out", out, "--pinpipe",
                            "/opt/pinpipe/bin/pinpipe"], env=env, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        path = os.path.join(out, "feedc0ffee42_dag.py")
        self.assertEqual(p.stdout.strip(), path)
        task = self.check_dag(self.load(path), "feedc0ffee42")
        self.assertEqual(task.bash_command,
                         f"/opt/pinpipe/bin/pinpipe --data-dir '{data}' batch --date {{{{ ds }}}}")

    def test_committed_file_is_the_commands_output_for_the_defaults(self):
        out = os.path.join(self.tmp.name, "defaults")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PINPIPE_") or k == "PINPIPE_BINARY"}
        p = subprocess.run([BIN, "--data-dir", "./pinpipe-data", "airflow-dag", "--out", out],
                           env=env, capture_output=True, text=True, cwd=self.tmp.name)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(self.tmp.name, out, "0a1b2c3d4e5f_dag.py")) as a, open(COMMITTED) as b:
            self.assertEqual(a.read(), b.read(),
                             "regenerate: pinpipe --data-dir ./pinpipe-data airflow-dag --out deploy/airflow")


if __name__ == "__main__":
    unittest.main()
