"""The real credit-risk model on a coordinator: shared by the integration and API tests."""

import pytest

from oracle.ml.model import LoadedModel
from oracle.ml.model_directory import ModelDirectory
from oracle.types import model_id
from scripts.node_process import REPO
from tests.helpers import flat_pricing

MODEL_DIR = REPO / "models" / "credit-risk"
CREDIT_RISK = model_id("credit-risk")
FEE_WEI = 10**15


@pytest.fixture(scope="session")
def credit_model():
    return LoadedModel.from_dir(MODEL_DIR)


@pytest.fixture(scope="session")
def held_out_rows(credit_model):
    """(features, expected PD in bps) of every committed held-out applicant."""
    names = credit_model.schema.feature_names
    rows = ModelDirectory(MODEL_DIR).held_out_rows()
    return [([row[n] for n in names], row["expected_pd_bps"]) for row in rows]


@pytest.fixture(scope="module")
def served_coordinator(OracleCoordinator, owner, signer_accounts, credit_model):
    """A coordinator with the node's key (funded for gas) as its only signer and the real model registered
    by its real hashes."""
    coordinator = OracleCoordinator.deploy(owner, [signer_accounts[0].address], 1, {"from": owner})
    coordinator.registerModel(
        CREDIT_RISK, credit_model.artifact_hash, credit_model.schema_hash, flat_pricing(FEE_WEI), {"from": owner}
    )
    owner.transfer(signer_accounts[0].address, "100 ether")
    return coordinator
