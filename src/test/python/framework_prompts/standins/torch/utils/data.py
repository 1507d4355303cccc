class IterableDataset:  # bigcode's TokenizedDataset subclasses it; only __iter__ is used
    pass
