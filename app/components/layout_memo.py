"""A page's layout, built once per link and reused: opening a page costs a lookup, not a rebuild.

A page's ``layout(**query)`` is a pure function of its link: the query is parsed by the controls'
own rules, and the first drawing that /gradient, /derivative and /autograd put in the layout depends
only on that state. A class opens the same few links over and over (the plain page, the link the
teacher shared), and building a page with its first drawing took 5-12 ms of a worker's CPU each time
(bench/profile_requests.py), about an eighth of what a class at a 0.5 s think time asked of it.

The same component tree is then handed to every request for that link. That is safe because nothing
changes a layout after it is built: Dash only serialises what a callback returns, and a page's
callbacks build new components rather than edit the ones in the layout. The memo is bounded per page
(a least-recently-used set), so links full of random values can only replace entries, never grow it:
32 different links on each of the six concept pages hold about 35 MiB per worker.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

LAYOUTS_PER_PAGE = 32  # 0.1-0.4 MiB each (the figures' arrays are shared with other memos)


def memoised_layout(build: Callable) -> Callable:
    """``build(**query)``, remembered per query. Dash passes a repeated key as a list, which becomes a
    tuple in the memo's key and a list again for ``build``."""

    @functools.lru_cache(maxsize=LAYOUTS_PER_PAGE)
    def built(items: tuple):
        return build(**{key: list(value) if isinstance(value, tuple) else value for key, value in items})

    @functools.wraps(build)
    def layout(**query):
        try:
            key = tuple(
                sorted((key, tuple(value) if isinstance(value, list) else value) for key, value in query.items())
            )
            hash(key)
        except TypeError:  # not from a URL (a test passing odd values): build it, don't remember it
            return build(**query)
        return built(key)

    layout.cache_clear = built.cache_clear
    layout.cache_info = built.cache_info
    return layout
