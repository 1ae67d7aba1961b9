"""Debian's Chromium driven by Playwright for Python, and axe-core run in its pages.

Playwright's own browser download does not work here (and is not needed): it drives the system's
``chromium`` through ``executable_path``. axe-core comes from ``npm ci --prefix tests/a11y``.
"""

from __future__ import annotations

import shutil
from typing import Any

from a11y.axe_chromium import AXE_JS, QUIET_FLAGS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}


def missing() -> str | None:
    """Why the browser tests can't run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed (pip install -e '.[test]')"
    if not shutil.which("chromium"):
        return "chromium not installed (apt-get install chromium)"
    if not AXE_JS.is_file():
        return "axe-core not installed (npm ci --prefix tests/a11y)"
    return None


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(QUIET_FLAGS))


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.x A and AA rules and best practices)."""
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(
        "axe.run(document).then(r => r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.map(n => n.target)})))"
    )
