"""Every kind of question, by key. Tests iterate this, so a new kind is tested the day it is added."""

from __future__ import annotations

from app.questions import autograd, derivative, descent, gradient, learning_rate, optimizers
from app.questions.base import Kind

PAGES = (derivative, gradient, descent, learning_rate, optimizers, autograd)
KINDS: dict[str, Kind] = {kind.key: kind for module in PAGES for kind in module.KINDS}


def kinds_for(page: str) -> list[Kind]:
    return [kind for kind in KINDS.values() if kind.page == page]
