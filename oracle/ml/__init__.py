"""Model side of the node: feature schemas, skops artifacts and batch inference."""

from oracle.ml.model import LoadedModel, Prediction
from oracle.ml.schema import FeatureSchema

__all__ = ["FeatureSchema", "LoadedModel", "Prediction"]
