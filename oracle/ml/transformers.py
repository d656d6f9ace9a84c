"""Transformers that model artifacts may contain. skops loads them only because artifact.TRUSTED_TYPES
names them: they hold nothing but integer column positions, and transform() is plain arithmetic."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


# scikit-learn ships no type information, so its base classes are Any to the type checker
class AffordabilityRatios(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Affordability figures a credit officer reads off an application, from the columns at the given
    positions: monthly instalment (amount / term), instalment / income, income - expenses - instalment,
    debt / assets and loan-to-value (amount / price). Divisors are floored at 1 currency unit (or month),
    so an applicant with no stated income or assets gets a large but finite ratio."""

    OUTPUTS = ("instalment", "instalment_to_income", "disposable_income", "debt_to_assets", "loan_to_value")

    def __init__(
        self,
        *,
        amount: int = 0,
        term: int = 1,
        income: int = 2,
        expenses: int = 3,
        debt: int = 4,
        assets: int = 5,
        price: int = 6,
    ) -> None:
        self.amount = amount
        self.term = term
        self.income = income
        self.expenses = expenses
        self.debt = debt
        self.assets = assets
        self.price = price

    def fit(self, x: np.ndarray, y: np.ndarray | None = None) -> AffordabilityRatios:
        self.n_features_in_ = np.asarray(x).shape[1]
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        instalment = x[:, self.amount] / np.maximum(x[:, self.term], 1.0)
        return np.column_stack(
            [
                instalment,
                instalment / np.maximum(x[:, self.income], 1.0),
                x[:, self.income] - x[:, self.expenses] - instalment,
                x[:, self.debt] / np.maximum(x[:, self.assets], 1.0),
                x[:, self.amount] / np.maximum(x[:, self.price], 1.0),
            ]
        )

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.array(self.OUTPUTS, dtype=object)
