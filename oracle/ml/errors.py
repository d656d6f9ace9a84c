"""Errors raised by oracle.ml; all descend from the node's root OracleError."""

from oracle.errors import OracleError


class MLError(OracleError):
    """Root of the model-side errors."""


class SchemaError(MLError, ValueError):
    """A schema file is malformed or inconsistent."""


class InvalidFeatures(MLError, ValueError):
    """Request features break the schema: wrong count, not an integer, out of range, unknown code."""


class InvalidOutput(MLError, ValueError):
    """A model produced a value the schema's output cannot represent."""


class ArtifactError(MLError):
    """A model artifact cannot be used."""


class HashMismatch(ArtifactError, ValueError):
    """A file's sha256 differs from the hash it was expected to have."""

    def __init__(self, what: str, expected: bytes, actual: bytes) -> None:
        super().__init__(f"{what}: sha256 is 0x{actual.hex()}, expected 0x{expected.hex()}")
        self.expected = expected
        self.actual = actual


class ArtifactHashMismatch(HashMismatch):
    """The model artifact is not the one whose hash was registered."""


class SchemaHashMismatch(HashMismatch):
    """The schema file is not the one whose hash was registered."""


class UntrustedArtifactTypes(ArtifactError, TypeError):
    """The artifact would instantiate types outside the allow-list."""

    def __init__(self, types: list[str]) -> None:
        super().__init__(f"artifact holds untrusted types: {', '.join(types)}")
        self.types = types
