"""GUI tests run offscreen unless a display is chosen explicitly (e.g. under Xvfb)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
