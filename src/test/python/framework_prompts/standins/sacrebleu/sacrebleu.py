"""`sacrebleu.sacrebleu` as the JP harness uses it: the WMT20 test sets from ../shared/benchmarks (the
OPUS-MT-testsets plain text of the official newstest2020 sgm files sacrebleu would download)."""
import os

DATASETS = {"wmt20": {}}
SHARED = os.environ.get("KANSOKU_SHARED", "../shared/benchmarks")


def download_test_set(test_set, langpair=None):
    src, ref = langpair.split("-")
    folder = f"{SHARED}/wmt20_{src}_{ref}"
    return f"{folder}/newstest2020.{src}", f"{folder}/newstest2020.{ref}"


def smart_open(path, mode="rt", encoding="utf-8"):
    return open(path, mode, encoding=encoding)
