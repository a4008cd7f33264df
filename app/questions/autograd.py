"""Questions for /autograd."""

from __future__ import annotations

PAGE = "/autograd"
KINDS = ()
