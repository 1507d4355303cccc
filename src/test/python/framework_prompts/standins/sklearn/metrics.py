def _unavailable(*args, **kwargs):
    raise RuntimeError("scikit-learn is not available in the prompt renderer")


f1_score = matthews_corrcoef = accuracy_score = _unavailable
accuracy_score = _unavailable
