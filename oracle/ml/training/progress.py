"""Progress bars for the steps inside one training run, on the caller's rich Progress (none: silent)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import Progress

Advance = Callable[[], None]


@contextmanager
def step(progress: Progress | None, description: str, total: int) -> Iterator[Advance]:
    """A bar of `total` units for the duration of the block; yields the function that advances it by one."""
    if progress is None:
        yield lambda: None
        return
    task = progress.add_task(f"  {description}", total=total)
    try:
        yield lambda: progress.advance(task)
    finally:
        progress.remove_task(task)
