"""Questions for /descent."""

from __future__ import annotations

PAGE = "/descent"
KINDS = ()
