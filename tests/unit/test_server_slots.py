"""ServerSlots (app/tracing/slots.py): at most N holders across every process and thread of a server, a
slot freed however its holder ends, and a waiter that gives up after its timeout."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from app.tracing.slots import ServerSlots

HOLD = """
import sys, time
from app.tracing.slots import ServerSlots
slots = ServerSlots(lambda: sys.argv[1], 1)
assert slots.acquire(timeout=1)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_one_slot_is_held_by_one_process_at_a_time_and_freed_when_it_ends(tmp_path):
    slots = ServerSlots(lambda: tmp_path, 1)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        assert slots.acquire(timeout=0.2) is False  # the other process holds it: wait, then give up
        assert time.monotonic() - started >= 0.2
    finally:
        holder.kill()  # however it ends, the kernel frees its lock
        holder.wait()
    assert slots.acquire(timeout=1) is True
    slots.release()


def test_two_slots_admit_two_threads_and_a_third_waits_for_a_release(tmp_path):
    slots = ServerSlots(lambda: tmp_path, 2)
    held, release = threading.Barrier(3), threading.Event()

    def hold():
        assert slots.acquire(timeout=1)
        held.wait()
        release.wait()
        slots.release()

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for thread in threads:
        thread.start()
    held.wait()
    assert slots.acquire(timeout=0.05) is False
    release.set()
    assert slots.acquire(timeout=2) is True  # a holder released: the waiter gets its slot
    slots.release()
    for thread in threads:
        thread.join()
