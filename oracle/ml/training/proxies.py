"""How well a model's inputs predict an attribute that is not an input (age, marital status): if they
do, a model can treat its groups differently without ever seeing it."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline

from oracle.ml.training import bootstrap


def proxy_auc(detector: Pipeline, x: np.ndarray, attribute: np.ndarray, *, seed: int, folds: int = 5) -> float:
    """Cross-validated ROC AUC of `detector` (a classifier pipeline over the model's inputs) predicting the
    binary `attribute`: 0.5 = the inputs carry no trace of it, 1.0 = they reveal it."""
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    scores = cross_val_predict(clone(detector), x, attribute, cv=cv, method="predict_proba")[:, 1]
    auc = bootstrap.rank_auc(attribute, scores)
    if auc is None:
        raise ValueError("the attribute has a single value: no proxy to measure")
    return round(auc, 6)
