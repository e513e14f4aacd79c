"""Helpers for browser tests."""

from __future__ import annotations

import os
from pathlib import Path


def screenshot(page, name: str) -> None:
    """Keep a screenshot when E2E_SCREENSHOTS names a folder (for looking at the pages)."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
