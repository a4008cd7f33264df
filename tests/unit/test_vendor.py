"""The vendored axe-core file is exactly the one recorded (tests/browser/vendor/README.md)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "browser" / "vendor"


def test_the_vendored_axe_core_matches_its_pin_and_recorded_sha256():
    pinned = json.loads((VENDOR / "package.json").read_text())["dependencies"]["axe-core"]
    locked = json.loads((VENDOR / "package-lock.json").read_text())["packages"]["node_modules/axe-core"]["version"]
    assert pinned == locked
    script = VENDOR / f"axe-core-{pinned}.min.js"
    assert script.read_text()[:40].startswith(f"/*! axe v{pinned}")
    recorded = re.search(
        rf"`axe-core-{re.escape(pinned)}\.min\.js`.*`([0-9a-f]{{64}})`", (VENDOR / "README.md").read_text()
    )
    assert recorded, "README.md records the file's sha256"
    assert hashlib.sha256(script.read_bytes()).hexdigest() == recorded.group(1)
    assert (VENDOR / "axe-core-LICENSE.txt").read_text().startswith("Mozilla Public License")
