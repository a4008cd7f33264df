"""The built-in lessons, shipped as files in app/lessons/builtin (each in the canonical file form)."""

from __future__ import annotations

import functools
from pathlib import Path

from app.lessons.model import Lesson, from_json

FOLDER = Path(__file__).with_name("builtin")
# In the order the home page lists them; each name is also its link: /lesson#lesson=<name>.
BUILTIN = ("chapter-in-40-minutes", "why-the-learning-rate-matters", "from-sgd-to-adam")


@functools.cache
def builtin(name: str) -> Lesson:
    """A built-in lesson by name (KeyError for a name that is not one)."""
    if name not in BUILTIN:
        raise KeyError(name)
    return from_json((FOLDER / f"{name}.json").read_text(encoding="utf-8"))
