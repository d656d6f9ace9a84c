"""Drift gauges for /metrics: each served model's recent requests (from the node's store) against its
training distribution (report.json's drift_reference), recomputed at each scrape."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from oracle.ml import drift
from oracle.ml.registry import ModelRegistry
from oracle.store.requests import RequestStore
from oracle.types import Status

DEFAULT_WINDOW = 500


def recent_window(store: RequestStore, model_id: bytes, size: int) -> tuple[list[Sequence[int]], list[int]]:
    """The features of the newest `size` requests for a model, and the answers of those answered OK."""
    requests = store.search(model_id=model_id, limit=size)
    return [r.features for r in requests], [r.value for r in requests if r.status == Status.OK and r.value is not None]


class DriftCollector(Collector):
    def __init__(self, store: RequestStore, registry: ModelRegistry, window: int = DEFAULT_WINDOW) -> None:
        self._store = store
        self._registry = registry
        self._window = window

    def describe(self) -> list[Metric]:
        return []  # collected only when scraped

    def collect(self) -> Iterator[Metric]:
        feature_psi = GaugeMetricFamily(
            "oracle_model_feature_psi",
            "population stability index of a feature over the model's recent requests vs its training rows",
            labels=["model", "feature"],
        )
        prediction_psi = GaugeMetricFamily(
            "oracle_model_prediction_psi", "PSI of the model's recent answers vs its training answers", labels=["model"]
        )
        mean = GaugeMetricFamily(
            "oracle_model_mean_prediction", "mean answer over the recent window (probability)", labels=["model"]
        )
        training_mean = GaugeMetricFamily(
            "oracle_model_training_mean_prediction", "mean answer on the training rows", labels=["model"]
        )
        window = GaugeMetricFamily(
            "oracle_model_drift_window_requests", "requests in the drift window", labels=["model"]
        )
        for model_id, model in sorted(self._registry.served().items()):
            reference = model.report.get("drift_reference")
            if reference is None:
                continue
            rows, answers = recent_window(self._store, model_id, self._window)
            report = drift.compare(reference, model.schema, rows, answers)
            for feature, value in report.feature_psi.items():
                feature_psi.add_metric([model.name, feature], value)
            if report.prediction_psi is not None:
                prediction_psi.add_metric([model.name], report.prediction_psi)
            if report.mean_prediction is not None:
                mean.add_metric([model.name], report.mean_prediction)
            training_mean.add_metric([model.name], report.training_mean_prediction)
            window.add_metric([model.name], report.window)
        yield from (feature_psi, prediction_psi, mean, training_mean, window)
