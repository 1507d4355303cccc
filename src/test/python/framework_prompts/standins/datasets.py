"""Stand-in for Hugging Face `datasets`: the reference frameworks call `load_dataset(path, name)`, which would
download a Hub dataset; here the same records are read from the original published files (../shared/benchmarks
or the test fixtures) by the loaders registered in `hub_files.py`. Only what the frameworks' prompt code touches
is implemented: iteration, indexing, `features`, `map` (returned fields merged over the record, as HF does),
`select`, `filter`, `shuffle`-free `train_test_split` is not needed.

This module builds no prompt text: it only hands the frameworks their documents."""
import hub_files

__version__ = "2.18.0"  # the version the frameworks check against (lm-eval squadv2 asserts >= 1.11)


class Features(dict):
    pass


class Dataset:
    def __init__(self, rows):
        self._rows = [dict(r) for r in rows]

    @property
    def features(self):
        return Features((k, None) for k in (self._rows[0].keys() if self._rows else []))

    @property
    def column_names(self):
        return list(self.features.keys())

    def __len__(self):
        return len(self._rows)

    def __iter__(self):
        return iter([dict(r) for r in self._rows])

    def __getitem__(self, key):
        if isinstance(key, str):
            return [r[key] for r in self._rows]
        if isinstance(key, slice):
            rows = self._rows[key]
            return {k: [r[k] for r in rows] for k in (rows[0].keys() if rows else [])}
        return dict(self._rows[key])

    def map(self, fn, batched=False, remove_columns=None, **kwargs):
        if batched:
            raise NotImplementedError("batched map is not used by the reference prompt code")
        out = []
        for i, r in enumerate(self._rows):
            new = fn(dict(r), i) if kwargs.get("with_indices") else fn(dict(r))
            merged = {k: v for k, v in r.items() if not remove_columns or k not in remove_columns}
            merged.update(new)
            out.append(merged)
        return Dataset(out)

    def filter(self, fn, **kwargs):
        return Dataset([r for r in self._rows if fn(dict(r))])

    def select(self, indices):
        return Dataset([self._rows[i] for i in indices])


class DatasetDict(dict):
    pass


def load_dataset(path=None, name=None, *args, **kwargs):
    splits = hub_files.load(path, name, **kwargs)
    return DatasetDict({split: Dataset(rows) for split, rows in splits.items()})


class DownloadManager:  # referenced in type hints only
    pass


class DownloadMode:
    REUSE_DATASET_IF_EXISTS = "reuse_dataset_if_exists"
    FORCE_REDOWNLOAD = "force_redownload"
