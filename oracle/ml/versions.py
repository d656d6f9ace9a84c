"""Older versions of a model kept by artifact hash, so requests committed to them are still answered.

A request commits to the artifact hash registered when it was made; re-versioning the model on chain leaves
it pending, answerable only with that artifact. The node keeps a copy of every version it has served in
`<models_dir>/.versions/<name>/<artifact sha256>/` (artifact, schema and report, copied when it is first
served: beside the model directories, so retraining into one does not erase them), and an operator may put
an older version there by hand. The node serves such a copy only for requests
committed to its hash, and only with the schema registered on chain alongside it.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from oracle.ml.model_directory import ARTIFACT_FILE, REPORT_FILE, SCHEMA_FILE

log = logging.getLogger(__name__)

VERSIONS_DIR = ".versions"  # hidden: not a model directory itself
_FILES = (ARTIFACT_FILE, SCHEMA_FILE, REPORT_FILE)


def version_dir(model_dir: Path, artifact_hash: bytes) -> Path:
    """Where the copy of `model_dir`'s version `artifact_hash` is kept."""
    model_dir = Path(model_dir)
    return model_dir.parent / VERSIONS_DIR / model_dir.name / artifact_hash.hex()


def keep_version(model_dir: Path, artifact_hash: bytes) -> Path | None:
    """Copies the model directory's files to `version_dir(model_dir, artifact_hash)` unless that copy exists; the copy
    appears whole or not at all. A read-only models directory only costs the archive (logged), not the model."""
    target = version_dir(model_dir, artifact_hash)
    if target.is_dir():
        return target
    staging = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=target.parent))
        for name in _FILES:
            shutil.copy2(Path(model_dir) / name, staging / name)
        staging.rename(target)
    except OSError as error:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if target.is_dir():  # another node on the same directory kept it first
            return target
        log.warning(
            "cannot keep a copy of %s (artifact %s…) for later requests: %s", model_dir, artifact_hash.hex()[:12], error
        )
        return None
    return target


def candidate_dirs(model_dir: Path, artifact_hash: bytes) -> list[Path]:
    """Where the files of `artifact_hash` may be: its kept version, then the model directory itself (an operator
    who has not yet replaced the files after re-versioning)."""
    return [version_dir(model_dir, artifact_hash), Path(model_dir)]
