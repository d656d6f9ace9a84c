"""The node's exception tree: one root, and each error also inherits the built-in it resembles."""


class OracleError(Exception):
    """Root of every error the node raises on purpose."""


class ReportError(OracleError, ValueError):
    """A report cannot be built from what was given."""
