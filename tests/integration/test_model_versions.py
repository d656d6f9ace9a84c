"""Re-versioning a model: requests committed to the old artifact are still answered with it."""

import copy
import json
import shutil

from oracle.ml.artifact import save_model
from oracle.ml.model import ARTIFACT_FILE, REPORT_FILE, LoadedModel
from oracle.ml.versions import version_dir
from scripts.node_process import wait_for
from tests.faults.metrics import sample
from tests.integration.in_process import faulty_runtime
from tests.model_fixtures import CREDIT_RISK, MODEL_DIR


def new_version(model_dir, model: LoadedModel) -> bytes:
    """Replaces the directory's artifact with a retrained-looking one (the same pipeline, shifted intercept)."""
    estimator = copy.deepcopy(model.estimator)
    estimator[-1].intercept_ = estimator[-1].intercept_ + 0.5
    artifact_hash = save_model(estimator, model_dir / ARTIFACT_FILE)
    report = json.loads((model_dir / REPORT_FILE).read_text())
    report["artifact"]["sha256"] = artifact_hash.hex()
    (model_dir / REPORT_FILE).write_text(json.dumps(report))
    return artifact_hash


def test_request_committed_to_the_old_version_is_answered_with_it_after_re_versioning(
    web3, served_coordinator, requests, held_out_rows, credit_model, owner, tmp_path
):
    model_dir = tmp_path / "models" / "credit-risk"
    shutil.copytree(MODEL_DIR, model_dir, ignore=shutil.ignore_patterns("versions"))
    first, _ = faulty_runtime(
        web3.provider.endpoint_uri, served_coordinator.address, tmp_path, models_dir=str(model_dir.parent)
    )
    assert sorted(first.registry.names) == ["credit-risk"]  # serves v1, and keeps a copy of it by hash
    assert (version_dir(model_dir, credit_model.artifact_hash) / ARTIFACT_FILE).is_file()
    features, expected_v1 = held_out_rows[0]
    [old_request] = requests.send([features])  # committed to v1

    # The owner re-versions: new files in the model directory, their hashes on chain; then the node restarts.
    v2_hash = new_version(model_dir, credit_model)
    served_coordinator.updateModel(CREDIT_RISK, v2_hash, credit_model.schema_hash, {"from": owner})
    [new_request] = requests.send([features])  # committed to v2
    v2 = LoadedModel.from_dir(model_dir, artifact_hash=v2_hash, schema_hash=credit_model.schema_hash)
    [expected_v2] = [p.value for p in v2.predict([features])]
    assert expected_v2 != expected_v1
    loads = sample("oracle_model_archived_artifact_loads_total", model="credit-risk")

    runtime, _ = faulty_runtime(
        web3.provider.endpoint_uri, served_coordinator.address, tmp_path, models_dir=str(model_dir.parent)
    )
    node = runtime.node()
    node.start()

    def answered():
        node.tick()
        answers = requests.answers()
        return old_request in answers and new_request in answers and answers

    answers = wait_for(answered, 30, "both requests answered")
    assert [a[:2] for a in answers[old_request]] == [(0, expected_v1)]  # v1's value, accepted against v1's hash
    assert [a[:2] for a in answers[new_request]] == [(0, expected_v2)]
    assert sample("oracle_model_archived_artifact_loads_total", model="credit-risk") == loads + 1
