"""Each shipped model's report: the shared training sections narrowed to the model's own, and the sections only
it writes, in the key order of its report.json."""

from __future__ import annotations

from oracle.ml.training.report import (
    ApprovalPolicy,
    Baselines,
    FairnessAudit,
    GroupMetrics,
    Section,
    ThresholdPolicy,
    Training,
    TrainingDataset,
    TrainingReport,
)

_LOADED = ("source", "rows_total")
_ROWS = ("rows_train", "rows_held_out", "rows_held_out_csv")
_SELECTION = ("selection", "baseline", "candidates", "chosen")
_HEAD = ("model", "task", "artifact", "schema", "libraries", "reproducibility", "dataset")
_EVALUATION = ("observed_ranges", "training", "held_out")


# credit-risk


class CreditDataset(TrainingDataset):
    KEY_ORDER = (
        *_LOADED, "rows_incomplete_dropped", "subsample_rows", "rows_outside_schema_dropped", "rows_used",
        "positive_label", *_ROWS,
    )  # fmt: skip
    rows_incomplete_dropped: int
    positive_label: str


class CreditTraining(Training):
    KEY_ORDER = ("seed", "held_out_fraction", "cv_folds", *_SELECTION)
    held_out_fraction: float
    cv_folds: int


class CreditFeatures(Section):
    used: list[str]
    derived_in_pipeline: list[str]
    spline_knots: int
    excluded: dict[str, str]


class Proxies(Section):
    detector: str
    cv_roc_auc: dict[str, float]


class CreditRiskReport(TrainingReport):
    KEY_ORDER = (
        *_HEAD, "features", *_EVALUATION, "baselines", "calibration_bins", "policy", "fairness", "drift_reference",
        "proxies",
    )  # fmt: skip
    dataset: CreditDataset
    training: CreditTraining
    policy: ApprovalPolicy
    features: CreditFeatures
    fairness: FairnessAudit
    proxies: Proxies


# shipment-condition


class WeatherDataset(TrainingDataset):
    KEY_ORDER = (
        *_LOADED, "subsample_rows", "rows_outside_schema_dropped", "rows_used", "cities", "dates", "label",
        "positives", "split", "train_year", "held_out_year", *_ROWS,
    )  # fmt: skip
    cities: list[str]
    dates: tuple[str, str]
    label: str
    positives: int
    split: str
    train_year: int
    held_out_year: int


class ShipmentTraining(Training):
    KEY_ORDER = ("seed", "cv_folds", "cv", *_SELECTION)
    cv_folds: int
    cv: str


class Window(Section):
    length: str
    summary: str
    sensors: dict[str, str]


class SensorFeatures(Section):
    used: list[str]
    accepted_but_ignored: list[str]
    unused: dict[str, str]


class UnseenCity(Section):
    roc_auc: float | None
    mean_predicted: float
    observed_rate: float


class ShipmentConditionReport(TrainingReport):
    KEY_ORDER = (
        *_HEAD, "window", "features", *_EVALUATION, "baselines", "calibration_bins", "policy", "drift_reference",
        "by_city", "leave_one_city_out",
    )  # fmt: skip
    dataset: WeatherDataset
    training: ShipmentTraining
    policy: ThresholdPolicy
    window: Window
    features: SensorFeatures
    by_city: dict[str, GroupMetrics]
    leave_one_city_out: dict[str, UnseenCity]


# delivery-delay


class FlightsDataset(TrainingDataset):
    KEY_ORDER = (
        *_LOADED, "subsample_rows", "rows_outside_schema_dropped", "rows_used", "label", "positives",
        "cancelled_or_diverted", "split", "days_train", "days_held_out", *_ROWS,
    )  # fmt: skip
    label: str
    positives: int
    cancelled_or_diverted: int
    split: str
    days_train: int
    days_held_out: int


class FlightsTraining(Training):
    KEY_ORDER = ("seed", "subsample", "cv", *_SELECTION)
    subsample: str
    cv: str


class Sla(Section):
    minutes: int
    late: str


class FlightFeatures(Section):
    used: list[str]
    accepted_but_ignored: list[str]
    excluded: dict[str, str]


class Score(Section):
    roc_auc: float
    brier: float


class FlightsBaselines(Baselines):
    carrier_rate: Score


class RandomDaySplit(Section):
    """The chosen pipeline refitted on a random-day split, beside the time-forward headline."""

    split: str
    rows_held_out: int
    roc_auc: float
    brier: float
    ece: float
    base_rate_brier: float


class DeliveryDelayReport(TrainingReport):
    KEY_ORDER = (
        *_HEAD, "sla", "features", *_EVALUATION, "random_day_split", "baselines", "calibration_bins", "policy",
        "drift_reference", "by_origin", "by_carrier",
    )  # fmt: skip
    dataset: FlightsDataset
    training: FlightsTraining
    baselines: FlightsBaselines
    policy: ThresholdPolicy
    sla: Sla
    features: FlightFeatures
    random_day_split: RandomDaySplit
    by_origin: dict[str, GroupMetrics]
    by_carrier: dict[str, GroupMetrics]
