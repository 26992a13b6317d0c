"""Airflow DAG 0a1b2c3d4e5f_dag: pinpipe's daily batch, as the original project's MWAA DAG.

Written by `pinpipe airflow-dag` for user id 0a1b2c3d4e5f. Copy it into Airflow's dags/ folder
(on MWAA: s3://<bucket>/dags/). It means what pinpipe's built-in scheduler means by the same
settings (docs/scheduler.md): schedule @daily, catchup=False, one retry after 2 minutes. The
run for logical date D starts once D's day has ended and runs `pinpipe batch --date D`
(Airflow's {{ ds }}).

Variant: set TASK_RUNNER = "databricks" to trigger a Databricks notebook instead, as the
original did (DatabricksSubmitRunOperator; needs apache-airflow-providers-databricks and an
Airflow connection `databricks_default`).
"""
import shlex
from datetime import datetime, timedelta

from airflow import DAG

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2
    from airflow.operators.bash import BashOperator

USER_ID = "0a1b2c3d4e5f"
PINPIPE = "pinpipe"  # the pinpipe binary on the Airflow workers
PINPIPE_CONFIG = ""  # its pinpipe.toml ("" for none)
PINPIPE_DATA_DIR = "./pinpipe-data"
TASK_RUNNER = "pinpipe"  # or "databricks"
DATABRICKS_NOTEBOOK = "/Users/0a1b2c3d4e5f/pinterest_batch"
DATABRICKS_CLUSTER_ID = "set-your-cluster-id"

default_args = {
    "owner": USER_ID,
    "depends_on_past": False,
    "email_on_failure": False,
    "email_on_retry": False,
    "retries": 1,
    "retry_delay": timedelta(minutes=2),
}


def pinpipe_batch_command():
    args = [PINPIPE]
    if PINPIPE_CONFIG:
        args += ["--config", PINPIPE_CONFIG]
    args += ["--data-dir", PINPIPE_DATA_DIR, "batch", "--date"]
    return " ".join(shlex.quote(a) for a in args) + " {{ ds }}"


with DAG(
    dag_id=f"{USER_ID}_dag",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["pinpipe"],
) as dag:
    if TASK_RUNNER == "databricks":
        from airflow.providers.databricks.operators.databricks import DatabricksSubmitRunOperator

        batch = DatabricksSubmitRunOperator(
            task_id="run_batch_notebook",
            databricks_conn_id="databricks_default",
            existing_cluster_id=DATABRICKS_CLUSTER_ID,
            notebook_task={
                "notebook_path": DATABRICKS_NOTEBOOK,
                "base_parameters": {"date": "{{ ds }}"},
            },
        )
    else:
        batch = BashOperator(task_id="pinpipe_batch", bash_command=pinpipe_batch_command())
