"""A bounded memo that can be asked what it already holds.

functools.lru_cache answers one key at a time, computing on a miss. A race needs to ask first: of its
seven contestants, which has this worker already run with exactly these settings? Only the others are
then run, together, in one pass of the engine. Like lru_cache it holds pure results (a value never
changes once computed), it is bounded (the least recently used entry goes first), and it is safe
across a worker's threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class Recent:
    """The ``size`` most recently used key → value pairs."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        """The value kept for key (now the most recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
