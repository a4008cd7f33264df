"""app.compute.recent.Recent: the bounded memo the race engine asks before it runs anything."""

from __future__ import annotations

import threading

from app.compute.recent import Recent


def test_it_keeps_the_most_recently_used_and_forgets_the_oldest():
    recent = Recent(3)
    for key in "abc":
        recent.put(key, key.upper())
    assert recent.get("a") == "A"  # now the most recently used
    recent.put("d", "D")  # one too many: the least recently used ("b") goes
    assert (recent.get("b"), recent.get("a"), recent.get("c"), recent.get("d")) == (None, "A", "C", "D")
    assert len(recent) == 3
    recent.put("a", "A again")  # a new value for a kept key replaces it without growing
    assert recent.get("a") == "A again" and len(recent) == 3
    recent.clear()
    assert len(recent) == 0 and recent.get("a") is None


def test_threads_never_push_it_past_its_size():
    recent = Recent(50)

    def fill(offset: int) -> None:
        for i in range(2000):
            recent.put((offset, i), i)
            recent.get((offset, i // 2))

    threads = [threading.Thread(target=fill, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(recent) == 50
