"""Questions for /optimizers."""

from __future__ import annotations

PAGE = "/optimizers"
KINDS = ()
