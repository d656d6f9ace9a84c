"""Bring your own model: a random forest (a model the project does not ship) on credit_data, packaged by
`oracle models package` and served through the ModelRegistry's loading path."""

import json

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from typer.testing import CliRunner

from oracle.chain.coordinator import Registration
from oracle.cli import app
from oracle.ml.artifact import TRUSTED_TYPES
from oracle.ml.errors import UntrustedArtifactTypes
from oracle.ml.packaging import PackageInputs, package
from oracle.ml.registry import ModelRegistry
from oracle.ml.training import credit_data
from oracle.types import Status, model_id
from tests.oracle.ml.committed_model import FILES, feature_rows, read_held_out

NAME = "credit-forest"
TREE = "sklearn.tree._tree.Tree"


class FakeCoordinator:
    """The coordinator's registration lookup (oracle.chain.coordinator.Coordinator.model) for a registry test
    without a chain: one registered model."""

    def __init__(self, registrations: dict[bytes, Registration]) -> None:
        self._registrations = registrations

    def model(self, mid: bytes) -> Registration | None:
        return self._registrations.get(mid)


@pytest.fixture(scope="module")
def user_files(tmp_path_factory):
    """What a user brings from a notebook: a skops file, a feature spec and held-out rows in real units."""
    folder = tmp_path_factory.mktemp("notebook")
    schema = credit_data.build_schema(NAME)
    data = credit_data.load(schema, seed=3, max_rows=1500)
    train_idx, test_idx = train_test_split(np.arange(len(data.y)), test_size=0.3, stratify=data.y, random_state=3)
    forest = RandomForestClassifier(n_estimators=25, max_depth=6, min_samples_leaf=10, random_state=3)
    forest.fit(data.x[train_idx], data.y[train_idx])
    sio.dump(forest, folder / "forest.skops")
    (folder / "spec.json").write_bytes(schema.to_bytes())
    held = pd.DataFrame(data.x[test_idx], columns=schema.feature_names)
    for feature in schema.features:
        if feature.kind == "categorical":  # labels, as a user would write them
            held[feature.name] = held[feature.name].map({float(c.code): c.label for c in feature.categories})
    held["label"] = data.y[test_idx]
    held.to_csv(folder / "held_out.csv", index=False)
    return folder


def test_package_refuses_an_artifact_type_nobody_trusted(user_files, tmp_path):
    inputs = PackageInputs(user_files / "forest.skops", user_files / "spec.json", user_files / "held_out.csv")
    with pytest.raises(UntrustedArtifactTypes, match="Tree"):
        package(inputs, tmp_path / NAME)


def test_packaged_forest_is_served_through_the_registry(user_files, tmp_path):
    out = tmp_path / "models" / NAME
    result = CliRunner().invoke(
        app,
        [
            "models",
            "package",
            "--estimator",
            str(user_files / "forest.skops"),
            "--spec",
            str(user_files / "spec.json"),
            "--held-out",
            str(user_files / "held_out.csv"),
            "--out",
            str(out),
            "--trust",
            TREE,
        ],
    )
    assert result.exit_code == 0, result.output
    assert {path.name for path in out.iterdir()} == FILES
    report = json.loads((out / "report.json").read_text())
    assert report["held_out"]["roc_auc"] > 0.75 and report["held_out"]["brier_skill"] > 0
    assert {"ece", "intervals", "base_rate_brier"} <= set(report["held_out"]) and report["calibration_bins"]
    assert report["trusted_types"] == [TREE] and "drift_reference" in report
    assert "TODO" in (out / "MODEL_CARD.md").read_text()

    hashes = Registration(
        bytes.fromhex(report["artifact"]["sha256"]), bytes.fromhex(report["schema"]["sha256"]), 1, 0, True, 0, 0
    )
    coordinator = FakeCoordinator({model_id(NAME): hashes})
    refused = ModelRegistry(out.parent, coordinator)
    refused.load()
    assert "Tree" in refused.refused[NAME]  # the operator has not trusted the forest's type

    registry = ModelRegistry(out.parent, coordinator, trusted=TRUSTED_TYPES | {TREE})
    registry.load()
    model = registry.get(model_id(NAME), hashes.artifact_hash)
    assert model is not None and registry.refused == {}
    rows = read_held_out(out)
    predictions = model.predict(feature_rows(rows, model.schema))
    assert {p.status for p in predictions} == {Status.OK}
    assert [p.value for p in predictions] == [row["expected_pd_bps"] for row in rows]
