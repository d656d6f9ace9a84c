"""The models a node serves: every model directory whose artifact and schema hash match the chain's registration."""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Iterable
from pathlib import Path

from oracle.chain.coordinator import NOT_REGISTERED, Coordinator, Registration
from oracle.ml.artifact import TRUSTED_TYPES
from oracle.ml.errors import MLError
from oracle.ml.model import ARTIFACT_FILE, SCHEMA_FILE, LoadedModel
from oracle.types import model_id as model_id_of

log = logging.getLogger(__name__)

__all__ = ["ModelRegistry", "Registration", "model_dirs"]  # Registration: what registration() returns


def model_dirs(models_dir: Path, names: Iterable[str] = ()) -> dict[str, Path]:
    """name -> directory, for the given names or every sub-directory holding an artifact and a schema."""
    names = list(names)
    if names:
        return {name: models_dir / name for name in names}
    return {
        path.name: path
        for path in sorted(models_dir.iterdir())
        if (path / ARTIFACT_FILE).is_file() and (path / SCHEMA_FILE).is_file()
    }


def registered_models(models_dir: Path, coordinator: Coordinator) -> list[str]:
    """The model directories the coordinator has a registration for: what a node serves when ORACLE_MODELS is
    unset. Every directory when none is registered, so that the refusals are logged and /readyz says why."""
    names = list(model_dirs(Path(models_dir)))
    return [name for name in names if coordinator.model(model_id_of(name)) is not None] or names


class ModelRegistry:
    """Loads each model pinned to its on-chain hashes; a model that does not match is refused, not served."""

    def __init__(
        self,
        models_dir: Path,
        coordinator: Coordinator,
        names: Iterable[str] = (),
        trusted: Collection[str] = TRUSTED_TYPES,
    ) -> None:
        self._dirs = model_dirs(Path(models_dir), names)
        self._trusted = frozenset(trusted)
        self._coordinator = coordinator
        self._lock = threading.Lock()
        self._served: dict[bytes, LoadedModel] = {}
        self._registrations: dict[bytes, Registration | None] = {}
        self.refused: dict[str, str] = {}

    def load(self) -> None:
        for name in self._dirs:
            self._load(name)

    def _load(self, name: str) -> LoadedModel | None:
        model_id = model_id_of(name)
        registration = self._coordinator.model(model_id)
        with self._lock:
            self._served.pop(model_id, None)
            self.refused.pop(name, None)
            self._registrations[model_id] = registration
            if registration is None:
                self.refused[name] = NOT_REGISTERED
            else:
                try:
                    model = LoadedModel.from_dir(
                        self._dirs[name],
                        artifact_hash=registration.artifact_hash,
                        schema_hash=registration.schema_hash,
                        trusted=self._trusted,
                    )
                except (MLError, OSError, ValueError) as error:
                    self.refused[name] = str(error)
                else:
                    self._served[model_id] = model
                    log.info(
                        "serving %s v%d (artifact %s…)",
                        name,
                        registration.version,
                        registration.artifact_hash.hex()[:12],
                    )
                    return model
        log.error("not serving model %s: %s", name, self.refused[name])
        return None

    def get(self, model_id: bytes, artifact_hash: bytes) -> LoadedModel | None:
        """The model that answers requests made against `artifact_hash`; re-reads the registration once when
        the request names another artifact (the model may have been re-versioned since start-up)."""
        model = self._served.get(model_id)
        if model is not None and model.artifact_hash == artifact_hash:
            return model
        name = self.name_of(model_id)
        if name is None:
            return None
        registration = self._registrations.get(model_id)
        if registration is not None and registration.artifact_hash == artifact_hash and model is None:
            return None  # already refused for this very artifact
        model = self._load(name)
        return model if model is not None and model.artifact_hash == artifact_hash else None

    def resolve(self, ref: str) -> tuple[str, bytes] | None:
        """(name, model id) of this registry's model named `ref`, or whose id is `ref` (0x + 64 hex digits)."""
        if ref in self._dirs:
            return ref, model_id_of(ref)
        try:
            wanted = bytes.fromhex(ref.removeprefix("0x")) if ref.startswith("0x") else b""
        except ValueError:
            return None
        name = self.name_of(wanted) if len(wanted) == 32 else None
        return None if name is None else (name, wanted)

    def name_of(self, model_id: bytes) -> str | None:
        return next((name for name in self._dirs if model_id_of(name) == model_id), None)

    def served(self) -> dict[bytes, LoadedModel]:
        with self._lock:
            return dict(self._served)

    def registration(self, model_id: bytes) -> Registration | None:
        return self._registrations.get(model_id)

    @property
    def names(self) -> list[str]:
        return list(self._dirs)
