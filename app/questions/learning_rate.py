"""Questions for /learning-rate."""

from __future__ import annotations

PAGE = "/learning-rate"
KINDS = ()
