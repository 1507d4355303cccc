"""Airflow DAG: the Kansoku nightly run (new models and missing work only, then the analysis).

One BashOperator calls jobs/nightly; set SPARK_HOME and the master in the environment (or use
deploy/yarn/submit.sh / deploy/kubernetes/submit.sh instead). max_active_runs=1 prevents two runs writing the
same results directory at once; a failed run is simply retried: finished chunks are kept.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

KANSOKU = "/opt/kansoku"

with DAG(
    dag_id="kansoku_nightly",
    schedule="30 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
    tags=["kansoku", "evaluation"],
) as dag:
    BashOperator(
        task_id="nightly",
        bash_command=f"cd {KANSOKU} && jobs/nightly --suite swallow --results /data/results",
        execution_timeout=timedelta(hours=20),
    )
