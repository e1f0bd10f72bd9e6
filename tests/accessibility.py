"""axe-core and focus-ring checks for the browser tests (tests/test_browser.py), as plain functions.

axe-core is the accessibility engine of Deque (the rules behind Lighthouse and most WCAG
audits). Its one script is fetched from the npm registry by tests/tools/fetch_axe.py (``make
test`` and .ci/run do it), injected into the page under test, and run there; a serious or
critical violation fails the test, and so does a moderate one (every page checked is the
project's own markup: its Voilà template and its outputs). Minor ones are printed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
from fetch_axe import VERSION, axe_path  # noqa: E402

FAILING = ("critical", "serious", "moderate")

_RUN_JS = """async (include) => {
    const context = include ? {include: [...document.querySelectorAll(include)]} : document;
    const result = await axe.run(context, {resultTypes: ['violations']});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary,
                                  html: n.html.slice(0, 160)}))}));
}"""


def axe_script() -> str:
    """axe.min.js of the pinned version; a clear failure if it was never fetched."""
    path = axe_path()
    if not path.is_file():
        pytest.fail(f"axe-core {VERSION} is not installed at {path}: run `python tests/tools/fetch_axe.py` "
                    "(make test does)", pytrace=False)
    return path.read_text(encoding="utf-8")


def wait_for_access_script(page, timeout_ms: int) -> None:
    """Wait until the widgets' accessibility script (access.js) has named every slider on the page."""
    page.wait_for_function("() => window.__backpropTutorAccess && "
                           "!document.querySelector('.noUi-handle:not([aria-label])')", timeout=timeout_ms)


def axe_violations(page, include: str | None = None) -> list:
    """Run axe-core on the page (or on the elements matching ``include``); its violations, as dicts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_script())
    return page.evaluate(_RUN_JS, include)


def describe(violations) -> str:
    """Violations as readable lines: impact, rule, help, and the first few elements."""
    lines = []
    for v in violations:
        lines.append(f"{v['impact']} {v['id']} ({len(v['nodes'])}): {v['help']}")
        lines += [f"    {n['target']}: {n['html']}\n      {n['summary']}" for n in v["nodes"][:4]]
    return "\n".join(lines)


def check_axe(page, where: str, include: str | None = None) -> list:
    """Fail on any critical, serious or moderate violation; print minor ones. Returns all of them."""
    violations = axe_violations(page, include)
    failing = [v for v in violations if v["impact"] in FAILING]
    minor = [v for v in violations if v["impact"] not in FAILING]
    if minor:
        print(f"axe-core {VERSION}, {where}: minor\n{describe(minor)}")
    assert not failing, f"axe-core {VERSION}, {where}:\n{describe(failing)}"
    return violations


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours (RGB tuples)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def focus_ring_sides(focused: Image.Image, unfocused: Image.Image, box, min_contrast: float = 3.0) -> dict:
    """Per side of ``box`` (left, top, right, bottom in the images' pixels), how many pixels within
    6 px of that edge changed with focus to a colour at least ``min_contrast`` against what was there.

    A ring is visible when every side has a run of such pixels; a clipped ring loses a side.
    """
    focused, unfocused = focused.convert("RGB"), unfocused.convert("RGB")
    diff = ImageChops.difference(focused, unfocused).convert("L")
    left, top, right, bottom = (int(round(v)) for v in box)
    counts = {"left": 0, "top": 0, "right": 0, "bottom": 0}
    width, height = focused.size
    for y in range(max(top - 6, 0), min(bottom + 6, height)):
        for x in range(max(left - 6, 0), min(right + 6, width)):
            if not diff.getpixel((x, y)):
                continue
            if contrast(focused.getpixel((x, y)), unfocused.getpixel((x, y))) < min_contrast:
                continue
            near = {"left": abs(x - left) <= 6, "right": abs(x - right) <= 6,
                    "top": abs(y - top) <= 6, "bottom": abs(y - bottom) <= 6}
            for side, is_near in near.items():
                counts[side] += is_near
    return counts
