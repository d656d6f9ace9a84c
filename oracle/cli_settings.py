"""Where every `oracle` command that needs the node's settings starts: the settings (a settings error ends the
command with exit 2) and the runtime built from them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from oracle.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from oracle.runtime import Runtime

console = Console(soft_wrap=True)


def settings_or_exit(config: Path | None, **overrides: Any) -> Settings:
    try:
        return load_settings(config, **overrides)
    except ConfigError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from None


def runtime_for(settings: Settings) -> Runtime:
    # Model and chain modules (scikit-learn, skops, web3) load here, in the commands that use them, so that
    # `oracle --help` and a settings error answer at once.
    from oracle.runtime import Runtime

    return Runtime(settings)
