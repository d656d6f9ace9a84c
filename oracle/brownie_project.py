"""This brownie project's name, fixed: brownie names a project after its folder and refuses a folder whose name
starts with a digit (`BadProjectName` in brownie/project/main.py `load`), so a clone into `2024-oracle/` failed
every brownie command. A name given to `project.load` skips that check.

scripts/project.py loads the project with this name; loaded as a pytest plugin (`-p oracle.brownie_project`,
in pyproject.toml's addopts, so before brownie's own plugin loads the project) it gives brownie's pytest plugin
the same name. It lives in the installed package because a `-p` plugin is imported before the rootdir is on
sys.path."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

PROJECT_NAME = "AiOracleProject"


def _with_project_name(load: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(load)
    def named_load(project_path: object = None, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        return load(project_path, name or PROJECT_NAME, *args, **kwargs)

    setattr(named_load, "names_projects", True)  # noqa: B010 (marks the wrapper, which functools.wraps types)
    return named_load


def pytest_configure(config: object) -> None:  # noqa: ARG001 (a pytest hook's signature)
    """Nothing to do here: the patch below runs when pytest imports this plugin, before any project loads."""


def _install() -> None:
    import brownie.project

    load = getattr(brownie.project, "load")  # noqa: B009 (brownie re-exports it without __all__)
    if not getattr(load, "names_projects", False):
        setattr(brownie.project, "load", _with_project_name(load))  # noqa: B010


_install()
