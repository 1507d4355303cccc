"""Airflow DAG: the Kansoku nightly run (new models and missing work only, then the analysis), submitted to a cluster.

One BashOperator calls jobs/nightly, which submits the shaded jar through the scheduler host's Spark 4.2.0
distribution (SPARK_HOME) to the cluster the DAG's parameters name: the master (yarn, or spark://host:7077), the
deploy mode (cluster: the driver runs on the cluster, not on the scheduler host) and the results location (any Hadoop
URI every node reaches). max_active_runs=1 prevents two runs writing the same results at once (the results'
_run.lock refuses them too); a failed run is simply retried: finished chunks are kept.
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
    params={
        "master": "yarn",
        "deploy_mode": "cluster",
        "results": "hdfs://namenode:8020/kansoku/results",
        "suite": "swallow",
    },
    tags=["kansoku", "evaluation"],
) as dag:
    BashOperator(
        task_id="nightly",
        bash_command=(
            f"cd {KANSOKU} && jobs/nightly --master '{{{{ params.master }}}}' --deploy-mode '{{{{ params.deploy_mode }}}}' "
            "--results '{{ params.results }}' --suite '{{ params.suite }}'"
        ),
        env={"SPARK_HOME": "/opt/spark-4.2.0-bin-hadoop3", "HADOOP_CONF_DIR": "/etc/hadoop/conf"},
        append_env=True,
        execution_timeout=timedelta(hours=20),
    )
