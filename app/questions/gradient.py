"""Questions for /gradient."""

from __future__ import annotations

PAGE = "/gradient"
KINDS = ()
