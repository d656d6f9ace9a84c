"""The training report (report.json) as typed sections: what the trainer writes and the cards, the plots and
the CLI read. Floats arrive already rounded (6 decimals); the JSON keeps the key order it has always had, so
a run writes the same bytes as before the report was typed."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer


class Section(BaseModel):
    """A part of the report: immutable, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_name=True, serialize_by_alias=True)


class OrderedSection(Section):
    """A section whose JSON key order differs from its field order (a model's own fields sit between the
    shared ones): KEY_ORDER lists every key in the order written."""

    KEY_ORDER: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _in_key_order(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not self.KEY_ORDER:
            return data
        if set(self.KEY_ORDER) != set(data):
            raise ValueError(f"{type(self).__name__}: keys {sorted(data)} do not match KEY_ORDER")
        return {key: data[key] for key in self.KEY_ORDER}


class FileEntry(Section):
    file: str
    sha256: str
    bytes: int


class Reproducibility(Section):
    recipe: str
    decimals: int


class Bounds(Section):
    low: float
    high: float


class HeldOutIntervals(Section):
    """Grouped-bootstrap percentile intervals of the held-out headline; None where no draw defined it."""

    level: float
    resampled: str
    reps: int
    roc_auc: Bounds | None
    brier: Bounds | None
    ece: Bounds | None
    brier_skill: Bounds | None
    mean_predicted_minus_observed: Bounds | None


class AucInterval(Section):
    level: float
    resampled: str
    reps: int
    low: float
    high: float


class Metrics(Section):
    """Discrimination, calibration and accuracy against a majority-class baseline."""

    roc_auc: float
    brier: float
    log_loss: float
    accuracy_at_0_5: float
    baseline_majority_accuracy: float
    baseline_prevalence_brier: float
    positive_rate: float


class HeldOut(Metrics):
    ece: float
    base_rate_brier: float
    brier_skill: float
    mean_predicted: float
    mean_predicted_minus_observed: float
    intervals: HeldOutIntervals


class Baselines(Section):
    """What a model that knows only the training base rate scores on the held-out labels."""

    training_positive_rate: float
    base_rate_roc_auc: float
    base_rate_brier: float
    base_rate_log_loss: float
    majority_class: int
    majority_accuracy: float


class CalibrationBin(Section):
    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed_rate: float


class Confusion(Section):
    tn: int
    fp: int
    fn: int
    tp: int


class ApprovalOutcome(Section):
    """Decline when the score reaches the threshold; 'positive' = declined (predicted default)."""

    confusion_matrix: Confusion
    accuracy: float
    approval_rate: float
    default_rate_if_approved: float | None
    recall_of_defaults: float


class ThresholdOutcome(Section):
    """Flag when the score reaches the threshold; 'positive' = flagged."""

    confusion_matrix: Confusion
    accuracy: float
    flagged_rate: float
    precision: float | None
    recall: float
    false_positive_rate: float


class ApprovalPolicy(ApprovalOutcome, OrderedSection):
    KEY_ORDER = ("threshold_bps", "rule", *ApprovalOutcome.model_fields)
    threshold_bps: int
    rule: str


class ThresholdPolicy(ThresholdOutcome, OrderedSection):
    KEY_ORDER = ("threshold_bps", "rule", *ThresholdOutcome.model_fields)
    threshold_bps: int
    rule: str


class GroupMetrics(Section):
    count: int
    positive_rate: float
    mean_predicted: float
    flagged_rate: float
    roc_auc: float | None


class CandidateScores(Section):
    """One candidate's validation score and held-out figures (reported, never used to choose)."""

    cv_roc_auc_mean: float
    cv_roc_auc_std: float
    held_out_roc_auc: float
    held_out_brier: float
    held_out_ece: float
    boosting_iterations: int | None = Field(default=None, exclude_if=lambda value: value is None)


class Training(OrderedSection):
    seed: int
    selection: str
    baseline: str
    candidates: dict[str, CandidateScores]
    chosen: str

    @property
    def baseline_scores(self) -> CandidateScores:
        """The model shipped before: the cards' "before" figures."""
        return self.candidates[self.baseline]

    @property
    def chosen_scores(self) -> CandidateScores:
        return self.candidates[self.chosen]


class TrainingDataset(OrderedSection):
    """The loader's counts, the split's notes and the row counts."""

    source: str
    rows_total: int
    subsample_rows: int | None
    rows_outside_schema_dropped: int
    rows_used: int
    rows_train: int
    rows_held_out: int
    rows_held_out_csv: int


class StatInterval(Section):
    value: float | None
    low: float | None
    high: float | None


class GroupFairness(Section):
    count: int
    approval_rate: StatInterval
    approval_among_repayers: StatInterval
    roc_auc: StatInterval
    mean_predicted: StatInterval
    observed_default_rate: StatInterval
    adverse_impact_ratio: StatInterval


class AttributeFairness(Section):
    reference_group: str
    groups: dict[str, GroupFairness]


class WorstImpact(Section):
    ratio: float | None
    attribute: str | None
    group: str | None


class FairnessAudit(Section):
    threshold_bps: int
    rule: str
    intervals: str
    min_group_for_air: int
    protected: list[str]
    worst_adverse_impact: WorstImpact
    miscalibrated_groups: list[str]
    attributes: dict[str, AttributeFairness]


class Report(OrderedSection):
    """What every report.json holds, trained here or packaged by `oracle models package`."""

    model: str
    artifact: FileEntry
    schema_file: FileEntry = Field(alias="schema")
    libraries: dict[str, str]
    dataset: Section
    held_out: HeldOut
    calibration_bins: list[CalibrationBin]
    drift_reference: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(self.model_dump(), indent=2) + "\n"


class TrainingReport(Report):
    """A shipped model's training run: the sections `fit_and_write` writes for every recipe."""

    task: str
    reproducibility: Reproducibility
    dataset: TrainingDataset
    observed_ranges: dict[str, tuple[float, float]]
    training: Training
    baselines: Baselines
    policy: ApprovalPolicy | ThresholdPolicy


class ArtifactFiles(Section):
    """model.skops and schema.json as written: the report's `artifact` and `schema` entries."""

    artifact: FileEntry
    schema_file: FileEntry = Field(alias="schema")
