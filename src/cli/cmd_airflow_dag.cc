// pinpipe airflow-dag: writes deploy/airflow/<user_id>_dag.py — an Airflow DAG that runs the
// same daily batch as pinpipe's scheduler (`@daily`, catchup off, 1 retry after 2 minutes),
// for users who orchestrate with Airflow/MWAA. The template is embedded here so an installed
// binary can write it; deploy/airflow/0a1b2c3d4e5f_dag.py in the repository is its output for
// the default user id (tests/integration/airflow_dag_test.py checks they agree).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "cli/command.h"

namespace pinpipe::cli {
namespace {

constexpr const char* kTemplate = R"PY("""Airflow DAG @USER_ID@_dag: pinpipe's daily batch, as the original project's MWAA DAG.

Written by `pinpipe airflow-dag` for user id @USER_ID@. Copy it into Airflow's dags/ folder
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

USER_ID = "@USER_ID@"
PINPIPE = "@PINPIPE@"  # the pinpipe binary on the Airflow workers
PINPIPE_CONFIG = "@CONFIG@"  # its pinpipe.toml ("" for none)
PINPIPE_DATA_DIR = "@DATA_DIR@"
TASK_RUNNER = "pinpipe"  # or "databricks"
DATABRICKS_NOTEBOOK = "/Users/@USER_ID@/pinterest_batch"
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
)PY";

struct DagFlags {
  std::string out;      // a directory or a .py file
  std::string pinpipe;  // the binary's path on the Airflow workers
};

// A Python string literal's contents: backslashes and quotes escaped.
std::string PyEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  for (size_t pos = s->find(from); pos != std::string::npos; pos = s->find(from, pos + to.size())) {
    s->replace(pos, from.size(), to);
  }
}

Status WriteDag(const Config& config, const DagFlags& flags) {
  std::string text = kTemplate;
  ReplaceAll(&text, "@USER_ID@", PyEscape(config.user_id));
  ReplaceAll(&text, "@PINPIPE@", PyEscape(flags.pinpipe));
  ReplaceAll(&text, "@CONFIG@", PyEscape(config.config_path));
  ReplaceAll(&text, "@DATA_DIR@", PyEscape(config.data_dir));
  std::filesystem::path path = flags.out.empty() ? std::filesystem::path(".") : std::filesystem::path(flags.out);
  if (path.extension() != ".py") path /= config.user_id + "_dag.py";
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return IOError("cannot write " + path.string());
  std::printf("%s\n", path.string().c_str());
  return Status::OK();
}

}  // namespace

void RegisterAirflowDagCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<DagFlags>();
  flags->pinpipe = "pinpipe";
  CLI::App* cmd = app.add_subcommand(
      "airflow-dag", "Write <user_id>_dag.py, an Airflow DAG running `pinpipe batch` daily.");
  cmd->add_option("--out", flags->out, "directory (or .py file) to write to (default .)");
  cmd->add_option("--pinpipe", flags->pinpipe, "path of pinpipe on the Airflow workers (default: pinpipe on PATH)");
  cmd->callback([flags, &ctx] {
    auto config = ctx.Load();
    if (!config.ok()) return;
    if (Status s = WriteDag(*config, *flags); !s.ok()) ctx.Fail("airflow-dag", s);
  });
}

}  // namespace pinpipe::cli
