"""The notebooks and the presentation mode in a real browser: headless Chromium, as a student sees them.

For each notebook: JupyterLab on 127.0.0.1 (a free port, a random token, a copy of the
repository's notebooks so nothing is saved into them), the notebook opened, the kernel waited
for, Run > Run All Cells, then checks on the page itself: no error output, every widget view
rendered (its images loaded, its maths typeset), every control labelled with a tooltip, and the
interactions change what is on screen — Next in a step-through changes the formula, the value
and the diagram; the learning-rate slider, moved by keyboard on its handle, redraws the loss
plot; Play advances the epoch counter. The presentation mode (`make present`, Voilà) is checked
the same way, its projector option too, and the step-through is operated by keyboard alone.

Screenshots go to test-artifacts/browser/ (git-ignored): one per notebook and per app, and one of
each main view (README's img/screenshot_*.png are copies of these).

Chromium is Debian's (/usr/bin/chromium, or BACKPROP_TUTOR_CHROMIUM); Playwright never downloads
one. It runs with a fresh profile whose HOME and XDG directories point into it, and every request
that leaves 127.0.0.1 is aborted, so nothing depends on the network (Voilà asks a CDN for icon fonts).
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from accessibility import check_axe, focus_ring_sides, wait_for_access_script
from golden import SEED
from PIL import Image

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}

# Seconds. Generous: CI has 2 cores; every wait polls and returns as soon as it is met.
SERVER_START = 90
KERNEL_READY = 120
RUN_ALL = 240
RENDER = 60
INTERACTION = 60
CELL_TIMEOUT = 120  # Voilà's per-cell limit (VoilaExecutor.timeout)

# The widget views each notebook shows, by kind (how a view is recognised: _KINDS_JS).
EXPECTED_VIEWS = {
    "00_start_here": {"step": 1},
    "01_network_and_forward_pass": {"step": 1, "exercise": 3},
    "02_total_error": {"step": 1, "exercise": 3},
    "03_backward_pass_output_layer": {"chain": 1, "step": 1, "exercise": 5, "curve": 1},
    "04_backward_pass_hidden_layer": {"chain": 1, "step": 1, "exercise": 4},
    "05_training_loop": {"training": 1, "exercise": 3, "activation": 2},
    "06_learning_rate": {"lr": 2, "exercise": 3},
    "07_playground": {"editor": 1, "step": 3, "lr": 1, "training": 2},
    "08_common_mistakes": {},
    "09_matrix_form": {"matrix": 1},
}

# The README's screenshots: (notebook, kind of view) -> file in test-artifacts/browser/.
VIEW_SHOTS = {
    ("01_network_and_forward_pass", "step"): "screenshot_step_through.png",
    ("06_learning_rate", "lr"): "screenshot_learning_rate.png",
    ("05_training_loop", "training"): "screenshot_training.png",
    ("03_backward_pass_output_layer", "exercise"): "screenshot_exercise.png",
}

# A widget view: the output element whose child is the view's root box (JupyterLab and Voilà alike).
WIDGET_OUTPUT = ".jp-OutputArea-output:has(> .jupyter-widgets)"


# --- small helpers -------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout: float, message, interval: float = 0.2):
    """Poll ``condition`` until it returns a truthy value; fail with ``message()`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"after {timeout:g} s: {message() if callable(message) else message}", pytrace=False)
        time.sleep(interval)


def _stop(process: subprocess.Popen) -> None:
    """End a server we started, and everything it started (its own process group)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Server:
    """A Jupyter server we started: its address, token, process and log."""

    def __init__(self, process, port, token, log):
        self.process, self.port, self.token, self.log = process, port, token, log
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path: str, **query) -> str:
        query = {"token": self.token, **query}
        return f"{self.base}/{path.lstrip('/')}?" + "&".join(f"{k}={v}" if v is not None else k
                                                           for k, v in query.items())

    def api(self, method: str, path: str):
        request = urllib.request.Request(f"{self.base}/{path.lstrip('/')}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def wait_listening(self, probe: str | None):
        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{_log_tail(self.log)}",
                            pytrace=False)
            try:
                if probe is None:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return True
                self.api("GET", probe)
                return True
            except (OSError, urllib.error.URLError):
                return False

        wait_until(ready, SERVER_START, lambda: f"no server on port {self.port}:\n{_log_tail(self.log)}", 0.3)


def _start(command, env, cwd, log_path, port, token, probe) -> Server:
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = Server(process, port, token, log_path)
    try:
        server.wait_listening(probe)
    except BaseException:
        _stop(process)
        raise
    return server


# --- fixtures: Chromium, JupyterLab ----------------------------------------------------------------

@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A Chromium context: Debian's Chromium, headless, a fresh profile, 127.0.0.1 only."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=INTERACTION * 1000)  # Playwright's own default is 5 s
    profile = tmp_path_factory.mktemp("chromium-profile")
    env = dict(os.environ, HOME=str(profile), XDG_CONFIG_HOME=str(profile / ".config"),
               XDG_CACHE_HOME=str(profile / ".cache"), XDG_DATA_HOME=str(profile / ".local" / "share"))
    playwright = sync_playwright().start()
    try:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=os.environ.get("BACKPROP_TUTOR_CHROMIUM") or "/usr/bin/chromium",
            headless=True, args=CHROMIUM_FLAGS, env=env,
            viewport=VIEWPORT, device_scale_factor=1, timeout=SERVER_START * 1000)
    except BaseException:
        playwright.stop()
        raise
    context.set_default_timeout(INTERACTION * 1000)
    context.outside_requests = []

    def only_local(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            context.outside_requests.append(url)
            route.abort()

    context.route("**/*", only_local)
    yield context
    context.close()
    playwright.stop()


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a copy of notebooks/, examples/ and img/ (never the originals)."""
    base = tmp_path_factory.mktemp("jupyterlab")
    serve = base / "serve"
    for name in ("notebooks", "examples", "img"):
        shutil.copytree(ROOT / name, serve / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = base / "settings"
    user_settings = {
        # Never write to the notebooks; no news or update checks (no network, no pop-up).
        "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        # Render every cell, not only those scrolled into view, so every widget can be checked.
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    }
    for plugin, values in user_settings.items():
        package, name = plugin.rsplit("/", 1)
        path = settings / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
               JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_DATA_DIR=str(base / "data"),
               JUPYTER_RUNTIME_DIR=str(base / "runtime"), IPYTHONDIR=str(base / "ipython"))
    env.pop("JUPYTER_PATH", None)
    port, token = _free_port(), secrets.token_hex(24)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={serve}",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    server = _start(command, env, serve, base / "jupyterlab.log", port, token, probe="api/status")
    yield server
    _stop(server.process)


@pytest.fixture
def page(browser):
    """A new tab; uncaught page errors and dialogs are collected, and checked by the tests."""
    tab = browser.new_page()
    tab.page_errors = []
    tab.dialogs = []
    tab.on("pageerror", lambda error: tab.page_errors.append(str(error)))

    def on_dialog(dialog):
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab
    tab.close()


# --- what the page shows -----------------------------------------------------------------------------

_KINDS_JS = """(selector) => [...document.querySelectorAll(selector)].map(output => {
    const labels = [...output.querySelectorAll('.widget-label')].map(l => l.textContent.trim());
    if (labels.includes('Layer sizes')) return 'editor';
    if (output.querySelector('.bt-step-title')) return 'step';
    if (output.querySelector('.bt-epoch')) return 'training';
    if (output.querySelector('.bt-factors')) return 'chain';
    if (labels.includes('Learning rate η')) return 'lr';
    if (output.querySelector('.bt-question')) return 'exercise';
    if (output.querySelector('.bt-error-curve')) return 'curve';
    if (output.querySelector('.bt-activation')) return 'activation';
    if (labels.includes('Entry')) return 'matrix';
    return 'other';
})"""

_PROBLEMS_JS = """(selector) => {
    const problems = [];
    const visible = (el) => { const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
    const text = (el) => (el.innerText || el.textContent || '').trim();
    for (const el of document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]'))
        problems.push('error output: ' + text(el).slice(0, 400));
    for (const el of document.querySelectorAll('.jupyter-widgets-error-widget'))
        problems.push('a widget failed to render: ' + (el.title || text(el)).slice(0, 400));
    for (const el of document.querySelectorAll('.jp-OutputArea-output')) {
        const t = text(el);
        for (const bad of ['Traceback (most recent call last)', 'Error displaying widget', 'Loading widget...',
                           'Could not create a view'])
            if (t.includes(bad)) problems.push(`output shows "${bad}": ` + t.slice(0, 300));
    }
    for (const img of document.querySelectorAll('img'))
        if (visible(img) && !(img.complete && img.naturalWidth > 0))
            problems.push('image not loaded: ' + (img.getAttribute('src') || '').slice(0, 80));
    for (const el of document.querySelectorAll('.widget-htmlmath, .jp-MarkdownOutput, .jp-RenderedMarkdown'))
        if (visible(el) && text(el).includes('$$')) problems.push('maths not typeset: ' + text(el).slice(0, 120));
    // Every visible control: a visible label (its own text or its field's label) and a tooltip.
    const controls = 'button, input, select, textarea, [role="slider"], [contenteditable="true"]';
    for (const output of document.querySelectorAll(selector)) {
        for (const el of output.querySelectorAll(controls)) {
            if (!visible(el)) continue;
            const field = el.closest('.widget-inline-hbox, .widget-inline-vbox, .widget-checkbox');
            const own = el.closest('label');  // a control inside its own label (a Checkbox)
            const label = own && visible(own) && text(own) ? own
                : field && [...field.querySelectorAll(':scope > .widget-label')].find(visible);
            const group = el.closest('.widget-toggle-buttons');
            const groupLabel = group && group.querySelector(':scope > .widget-label');
            const name = text(el) || (label && visible(label) ? text(label) : '');
            const titled = (e) => e && (e.title || (e.querySelector('[title]') || {}).title);
            const tip = el.title || titled(label) || titled(groupLabel) || '';
            const what = `${el.tagName.toLowerCase()} "${name || text(el) || el.className}"`;
            if (!name) problems.push(`control without a visible label: ${what}`);
            if (!tip) problems.push(`control without a tooltip: ${what}`);
        }
        for (const img of output.querySelectorAll('img.widget-image'))
            if (visible(img) && !img.title) problems.push('figure without a text alternative (title)');
        // The SVG diagram (an anywidget): drawn, its parts clickable, described for screen readers.
        for (const diagram of output.querySelectorAll('.bt-svg-diagram')) {
            const svg = diagram.querySelector('svg');
            const described = svg && document.getElementById(svg.getAttribute('aria-describedby') || '-');
            if (!svg || !visible(svg)) problems.push('SVG diagram not drawn');
            else if (!svg.querySelector('[data-bt]')) problems.push('SVG diagram without clickable parts');
            if (svg && !(described && text(described))) problems.push('SVG diagram without a text alternative');
        }
    }
    return problems;
}"""


def view_kinds(page) -> list:
    return page.evaluate(_KINDS_JS, WIDGET_OUTPUT)


def views_of(page, kind):
    """Locators of every view of ``kind``, in page order."""
    kinds = view_kinds(page)
    outputs = page.locator(WIDGET_OUTPUT)
    return [outputs.nth(i) for i, k in enumerate(kinds) if k == kind]


def page_problems(page) -> list:
    return page.evaluate(_PROBLEMS_JS, WIDGET_OUTPUT)


def check_views_rendered(page, expected: dict) -> None:
    """Every expected view is on the page, rendered, with no error, maths typeset, images loaded."""
    want = sorted(k for kind, n in expected.items() for k in [kind] * n)
    wait_until(lambda: sorted(view_kinds(page)) == want, RENDER,
               lambda: f"widget views on the page: {view_kinds(page)}, expected {want}")
    for output in page.locator(WIDGET_OUTPUT).all():
        box = output.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 20, f"a widget view is not visible: {box}"
    # Maths typesets and images decode asynchronously: let them settle, then every check must pass.
    problems = []

    def settled():
        problems[:] = page_problems(page)
        return not problems

    wait_until(settled, RENDER, lambda: "problems on the page:\n  " + "\n  ".join(problems))
    assert not page.page_errors, f"uncaught errors in the page: {page.page_errors}"
    assert not page.dialogs, f"dialogs: {page.dialogs}"


def button(scope, label: str):
    """The button whose text is ``label`` (its icon, drawn by CSS, is not part of it)."""
    return scope.locator("button").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))


def _image_state(view, index=0):
    image = view.locator("img.widget-image").nth(index)
    return image.get_attribute("src"), image.get_attribute("title")


def _step_state(view):
    body = view.locator(".widget-htmlmath:has(.bt-step-title)")
    return {
        "header": body.locator(".bt-step-header").inner_text(),
        "title": body.locator(".bt-step-title").inner_text(),
        # Read in one call: MathJax may typeset again between reading one formula and the next,
        # and a locator for the n-th of them then waits for one that is gone.
        "formula": body.locator("mjx-container").evaluate_all("els => els.map(e => e.innerHTML).join('')"),
        "value": body.locator(".bt-value").inner_text() if body.locator(".bt-value").count() else "",
        "typeset": body.locator("mjx-container").count() > 0 and "$$" not in body.inner_text(),
        "diagram": _svg_state(view),
    }


def _svg_state(view):
    """What the view's SVG diagram shows: its markup and its text alternative."""
    diagram = view.locator(".bt-svg-diagram").first
    return diagram.locator(".bt-svg-picture").inner_html(), diagram.locator(".bt-description").text_content()


def _wait_step_change(view, before, how):
    """Wait until the step-through shows a new, fully typeset step; return it."""
    def changed():
        now = _step_state(view)
        return now if now["header"] != before["header"] and now["typeset"] and now["diagram"] != before["diagram"] \
            else None

    return wait_until(changed, INTERACTION, lambda: f"{how}: the step-through still shows {_step_state(view)}")


def check_step_through(view) -> None:
    """Next changes the step: its title, formula, value (on two presses) and the highlighted diagram."""
    view.scroll_into_view_if_needed()
    next_button = button(view, "Next")
    first = _step_state(view)
    assert first["typeset"], f"the step's maths is not typeset: {first}"
    next_button.click()
    second = _wait_step_change(view, first, "after Next")
    next_button.click()
    third = _wait_step_change(view, second, "after a second Next")
    for before, after in ((first, second), (second, third)):
        assert after["formula"] != before["formula"], f"Next left the formula unchanged: {before['title']}"
        assert after["value"] != before["value"], f"Next left the value unchanged: {before['value']!r}"
    assert third["value"], "two steps on, no value is shown"


def check_sample_choice(view) -> None:
    """Where the example has several samples, choosing another one re-derives the steps: the value changes."""
    choice = view.locator(".widget-dropdown").filter(has_text="Sample").locator("select")
    if not choice.count() or not choice.first.is_visible():
        return
    header = view.locator(".bt-step-header")
    before = _step_state(view)
    options = [o.replace("\xa0", " ") for o in choice.first.locator("option").all_inner_texts()]
    assert len(options) > 1 and options[1].startswith("Sample 2: "), options
    choice.first.select_option(index=1)     # the views open on sample 1

    def changed():
        now = _step_state(view)
        return now if now["value"] != before["value"] and now["typeset"] else None

    wait_until(changed, INTERACTION, lambda: f"another sample left the step unchanged: {header.inner_text()} "
               f"{_step_state(view)['value']!r}")


def check_learning_rate(view, page) -> None:
    """Arrow keys on the learning-rate slider's handle retrain and redraw the loss plot."""
    view.scroll_into_view_if_needed()
    slider = view.locator(".widget-hslider").filter(has=page.get_by_text("Learning rate η", exact=True)).first
    handle = slider.locator(".noUi-handle").first
    readout = slider.locator(".widget-readout").first
    before_rate, before_plot = readout.inner_text(), _image_state(view)
    before_landscape = view.locator(".bt-landscape img.widget-image").first.get_attribute("src") \
        if view.locator(".bt-landscape img.widget-image").count() else None
    before_status = view.locator(".widget-html").filter(has_text="η =").first.inner_text()
    handle.focus()
    for _ in range(5):
        handle.press("ArrowRight")
    wait_until(lambda: readout.inner_text() != before_rate, INTERACTION, "the slider's readout did not move")
    wait_until(lambda: _image_state(view) != before_plot and _image_state(view)[1] != before_plot[1],
               INTERACTION, "the loss plot was not redrawn after the learning rate changed")

    def status():
        return view.locator(".widget-html").filter(has_text="η =").first.inner_text()

    def caught_up():
        # Every key press retrains; wait for the last one: the status names the rate the slider shows.
        shown = re.search(r"η = ([0-9.e+-]+)", status())
        return shown and status() != before_status and math.isclose(float(shown.group(1)),
                                                                     float(readout.inner_text()), rel_tol=0.01)

    wait_until(caught_up, INTERACTION,
               lambda: f"the status does not follow the slider ({readout.inner_text()}): {status()}")

    def plot_names_rate():
        alt = re.search(r"learning rate ([0-9.e+-]+[0-9])", _image_state(view)[1] or "")
        return alt and math.isclose(float(alt.group(1)), float(readout.inner_text()), rel_tol=0.01)

    wait_until(plot_names_rate, INTERACTION, lambda: f"the loss plot's text alternative does not name "
               f"η = {readout.inner_text()}: {_image_state(view)[1]}")
    landscape = view.locator(".bt-landscape img.widget-image").first
    if landscape.count():   # the descent path moved with the rate: its text alternative names the new rate

        def path_names_rate():
            shown = re.search(r"At η = ([0-9.e+-]+[0-9]),", landscape.get_attribute("title") or "")
            return shown and math.isclose(float(shown.group(1)), float(readout.inner_text()), rel_tol=0.01)

        wait_until(path_names_rate, INTERACTION, lambda: "the descent path's text alternative does not name "
                   f"η = {readout.inner_text()}: {landscape.get_attribute('title')}")
        assert landscape.get_attribute("src") != before_landscape, "the landscape image was not redrawn"
    sweep = view.locator(".bt-sweep img.widget-image").first
    if sweep.is_visible():  # after a sweep: the marker moved, and the text alternative says so

        def sweep_names_rate():
            marked = re.search(r"current rate ([0-9.e+-]+[0-9]) is marked", sweep.get_attribute("title") or "")
            return marked and math.isclose(float(marked.group(1)), float(readout.inner_text()), rel_tol=0.01)

        wait_until(sweep_names_rate, INTERACTION, lambda: "the sweep's text alternative does not name the new "
                   f"rate {readout.inner_text()}: {sweep.get_attribute('title')}")


def _epoch(view) -> int:
    return int(re.search(r"Epoch\s+(\d+)", view.locator(".bt-epoch").inner_text()).group(1))


def check_training(view) -> None:
    """Play advances the epoch counter and redraws the plot; Pause stops it."""
    view.scroll_into_view_if_needed()
    start, plot = _epoch(view), _image_state(view)
    button(view, "Play").click()
    wait_until(lambda: _epoch(view) > start, INTERACTION, "Play did not advance the epoch counter")
    wait_until(lambda: _image_state(view) != plot, INTERACTION, "Play did not redraw the plot")
    button(view, "Pause").click()
    button(view, "Play").wait_for()

    def still():
        # Ticks already sent may land after the pause; then nothing moves for 1.25 s (five ticks).
        before = _epoch(view)
        time.sleep(1.25)
        return _epoch(view) == before

    wait_until(still, INTERACTION, "training went on after Pause")


def check_interactions(page, expected: dict, artifacts: Path, stem: str) -> None:
    """Every step-through, learning-rate explorer and training view on the page, operated."""
    def step_and_sample(view):
        check_step_through(view)
        check_sample_choice(view)

    for kind, check in (("step", step_and_sample), ("lr", lambda view: check_learning_rate(view, page)),
                        ("training", check_training), ("exercise", None)):
        views = views_of(page, kind) if kind in expected else []
        shot = VIEW_SHOTS.get((stem, kind))
        for view in views:
            if kind == "exercise":   # the first one with a number to type is pictured mid-way
                pictured = shot and view.locator(".widget-text input").count()
                check_exercise(view, artifacts / shot if pictured else None)
                shot = None if pictured else shot
            else:
                check(view)
        if shot and views and kind == "lr":
            _screenshot_above(views[0], ".bt-landscape", artifacts / shot)
        elif shot and views and kind != "exercise":
            views[0].screenshot(path=str(artifacts / shot))


def _screenshot_above(view, selector: str, path: Path) -> None:
    """A screenshot of the view from its top down to ``selector`` (a view taller than the window)."""
    view.evaluate("el => el.scrollIntoView({block: 'start'})")
    box, below = view.bounding_box(), view.locator(selector).first.bounding_box()
    view.page.screenshot(path=str(path), clip={"x": box["x"], "y": box["y"], "width": box["width"],
                                               "height": below["y"] - box["y"]})


def check_exercise(view, shot: Path | None = None) -> None:
    """An exercise: Check without an answer says what is expected; a wrong number gets feedback and a
    hint; Solution shows the value; New numbers asks anew."""
    view.scroll_into_view_if_needed()
    question = view.locator(".bt-question").inner_text()
    button(view, "Check").click()
    feedback = view.locator(".bt-feedback")
    wait_until(lambda: feedback.count() and "⚠" in feedback.inner_text(), INTERACTION,
               "Check without an answer showed no message")
    field = view.locator(".widget-text input")
    if field.count():   # a number to compute: a wrong one is graded and gets a hint
        field.first.fill("1000")
        button(view, "Check").click()
        wait_until(lambda: "⚠" not in feedback.inner_text() and view.locator(".bt-hint").count(), INTERACTION,
                   lambda: "a wrong number got no graded feedback and hint: " + feedback.inner_text())
    button(view, "Solution").click()
    value = view.locator(".bt-solution-value")
    wait_until(lambda: value.count() and value.is_visible(), INTERACTION, "Solution showed no value")
    if shot:
        view.screenshot(path=str(shot))
    button(view, "New numbers").click()
    wait_until(lambda: view.locator(".bt-question").inner_text() != question and not value.count(), INTERACTION,
               "New numbers did not change the question")


def keyboard_to(page, name: str, max_tabs: int = 80, role: str = "button"):
    """Press Tab until the focused element is the control ``name``; fail if it is never reached."""
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => { const e = document.activeElement; return e ? "
                                "[e.getAttribute('role') || e.tagName.toLowerCase(), (e.innerText || '').trim(), "
                                "e.closest('.widget-inline-hbox') ? (e.closest('.widget-inline-hbox')"
                                ".querySelector('.widget-label') || {}).textContent || '' : ''] : null }")
        if focused and focused[0] == role and name in (focused[1], focused[2].strip()):
            return
    pytest.fail(f"{max_tabs} presses of Tab never reached the {role} {name!r}", pytrace=False)


def check_keyboard_step_through(page, view) -> None:
    """The step-through from the keyboard alone: Tab to Next, Enter and Space press it, arrows move the slider."""
    def header():
        return view.locator(".bt-step-header").inner_text()

    def step():
        return int(re.search(r"Step (\d+) of", header()).group(1))

    start = step()
    keyboard_to(page, "Next")
    page.keyboard.press("Enter")
    wait_until(lambda: step() == start + 1, INTERACTION, lambda: f"Enter on Next: {header()}")
    page.keyboard.press("Space")
    wait_until(lambda: step() == start + 2, INTERACTION, lambda: f"Space on Next: {header()}")
    page.keyboard.press("Shift+Tab")  # back to Previous, enabled now
    page.keyboard.press("Enter")
    wait_until(lambda: step() == start + 1, INTERACTION, lambda: f"Enter on Previous: {header()}")
    # Previous -> Next -> Reset -> Show all steps -> Predict first -> the step slider
    keyboard_to(page, "Step", max_tabs=6, role="slider")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_until(lambda: step() == start + 3, INTERACTION, lambda: f"ArrowRight on the step slider: {header()}")
    page.keyboard.press("ArrowLeft")
    wait_until(lambda: step() == start + 2, INTERACTION, lambda: f"ArrowLeft on the step slider: {header()}")
    wait_until(lambda: _step_state(view)["typeset"], INTERACTION, "the step's maths is not typeset")


# --- JupyterLab ------------------------------------------------------------------------------------

def _kernel_idle(page) -> bool:
    status = " ".join(page.locator(".jp-StatusBar-Widget").all_inner_texts())
    indicator = page.locator(".jp-Notebook-ExecutionIndicator")
    return "| Idle" in status and indicator.count() > 0 and indicator.first.get_attribute("data-status") == "idle"


def _dialog_text(page) -> str:
    dialogs = page.locator(".jp-Dialog")
    return dialogs.first.inner_text() if dialogs.count() else ""


def open_and_run_all(page, lab: Server, notebook: Path) -> None:
    """Open the notebook in JupyterLab, wait for its kernel, Run > Run All Cells, wait until all ran."""
    workspace = "bt-" + notebook.stem.replace("_", "-")
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/notebooks/{notebook.name}", reset=None),
              timeout=SERVER_START * 1000)
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=SERVER_START * 1000)

    def ready():
        assert not _dialog_text(page), f"a dialog is open: {_dialog_text(page)}"
        return _kernel_idle(page)

    wait_until(ready, KERNEL_READY, lambda: "the kernel never became idle: "
               + " ".join(page.locator(".jp-StatusBar-Widget").all_inner_texts()))
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    code_cells = sum(cell.cell_type == "code" for cell in nbformat.read(notebook, as_version=4).cells)

    def finished():
        assert not _dialog_text(page), f"a dialog is open: {_dialog_text(page)}"
        prompts = [p.strip() for p in page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()]
        return (len(prompts) == code_cells and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
                and _kernel_idle(page))

    wait_until(finished, RUN_ALL, lambda: "Run All did not finish: prompts "
               + str(page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()))


def _shut_down_kernels(lab: Server) -> None:
    """Stop the notebook's kernel (CI has two cores); never hide the test's own failure."""
    try:
        for session in lab.api("GET", "api/sessions"):
            lab.api("DELETE", f"api/sessions/{session['id']}")
    except (OSError, urllib.error.URLError) as exc:
        print(f"could not shut the kernels down: {exc}")


def _screenshot(page, path: Path) -> None:
    try:
        page.screenshot(path=str(path))
    except Exception as exc:  # a screenshot is evidence, never the reason a test fails
        print(f"no screenshot {path.name}: {exc}")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_in_jupyterlab(notebook, jupyter_lab, page, artifacts):
    expected = EXPECTED_VIEWS.get(notebook.stem)
    assert expected is not None, f"{notebook.name}: add the widget views it shows to EXPECTED_VIEWS"
    try:
        open_and_run_all(page, jupyter_lab, notebook)
        check_views_rendered(page, expected)
        if expected:
            # Only the notebook's outputs: JupyterLab's own interface is not this project's markup.
            check_controls_named(page)
            check_axe(page, f"JupyterLab {notebook.stem}", include=".jp-OutputArea-output")
        check_interactions(page, expected, artifacts, notebook.stem)
        assert not page_problems(page), page_problems(page)
    finally:
        _screenshot(page, artifacts / f"lab-{notebook.stem}.png")
        _shut_down_kernels(jupyter_lab)


def test_step_through_by_keyboard_in_jupyterlab(jupyter_lab, page, artifacts):
    """In JupyterLab: select the step-through's cell with the arrow keys, Tab into it, operate it."""
    notebook = NOTEBOOK_DIR / "01_network_and_forward_pass.ipynb"
    try:
        open_and_run_all(page, jupyter_lab, notebook)
        check_views_rendered(page, EXPECTED_VIEWS[notebook.stem])
        page.keyboard.press("Escape")  # command mode
        for _ in range(40):  # up from the last cell to the one showing the step-through
            if page.locator(".jp-Cell.jp-mod-active " + WIDGET_OUTPUT).count():
                break
            page.keyboard.press("ArrowUp")
        view = page.locator(".jp-Cell.jp-mod-active " + WIDGET_OUTPUT).first
        check_keyboard_step_through(page, view)
    finally:
        _screenshot(page, artifacts / "lab-keyboard-step-through.png")
        _shut_down_kernels(jupyter_lab)


def check_predict_first(page, view) -> None:
    """Predict first from the keyboard: the value hides, a typed prediction and Enter reveal it with
    feedback, and Enter again goes on (the seed notebook prints net_h1 = 0.3775, In [3])."""
    view.scroll_into_view_if_needed()
    button(view, "Predict first").click()
    header = view.locator(".bt-step-header")
    if "Step 1 of" in header.inner_text():
        button(view, "Next").click()
        wait_until(lambda: "Step 2 of" in header.inner_text(), INTERACTION, lambda: header.inner_text())
    wait_until(lambda: view.locator(".bt-predict-prompt").count() == 1, INTERACTION,
               "Predict first did not hide the value")
    assert view.locator(".bt-value").count() == 0, "the value is shown before a prediction"
    field = view.locator(".widget-text input").first
    field.click()
    field.type(str(SEED["cell3_net_h1"]))
    page.keyboard.press("Enter")
    wait_until(lambda: view.locator(".bt-feedback").count() and "✔" in view.locator(".bt-feedback").inner_text(),
               INTERACTION, lambda: "no feedback after Enter: " + view.inner_text()[:400])
    wait_until(lambda: view.locator(".bt-value").count() == 1, INTERACTION, "the value did not appear")
    assert "0.3775" in view.locator(".bt-value").inner_text()
    assert "1 of 1" in view.locator(".bt-score").inner_text()
    field.focus()
    page.keyboard.press("Enter")
    wait_until(lambda: "Step 3 of" in header.inner_text(), INTERACTION,
               lambda: "Enter again did not go on: " + header.inner_text())


def test_predict_first_in_jupyterlab(jupyter_lab, page, artifacts):
    """In JupyterLab: turn on Predict first, type a prediction, Enter, see the feedback and the value."""
    notebook = NOTEBOOK_DIR / "01_network_and_forward_pass.ipynb"
    try:
        open_and_run_all(page, jupyter_lab, notebook)
        check_views_rendered(page, EXPECTED_VIEWS[notebook.stem])
        check_predict_first(page, views_of(page, "step")[0])
        assert not page_problems(page), page_problems(page)
        views_of(page, "step")[0].screenshot(path=str(artifacts / "screenshot_predict.png"))
    finally:
        _screenshot(page, artifacts / "lab-predict-first.png")
        _shut_down_kernels(jupyter_lab)


# --- presentation mode (Voilà) ---------------------------------------------------------------------

PRESENTATIONS = [
    # (notebook, projector): 01 with the keyboard, 06 on the projector, 07 with every kind of view.
    ("01_network_and_forward_pass", False),
    ("06_learning_rate", True),
    ("07_playground", False),
]


@pytest.fixture
def present(tmp_path):
    """Start `python -m backprop_tutor present` (what `make present` runs); yields a starter."""
    started = []

    def start(stem: str, projector: bool) -> Server:
        port, token = _free_port(), secrets.token_hex(24)
        command = [sys.executable, "-m", "backprop_tutor", "present", f"notebooks/{stem}.ipynb", "--port", str(port),
                   "--token", token, "--no-browser", "--cell-timeout", str(CELL_TIMEOUT)]
        if projector:
            command.append("--projector")
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
                   JUPYTER_CONFIG_DIR=str(tmp_path / "config"), IPYTHONDIR=str(tmp_path / "ipython"))
        env.pop("JUPYTER_PATH", None)
        server = _start(command, env, ROOT, tmp_path / f"voila-{stem}.log", port, token, probe=None)
        started.append(server)
        return server

    yield start
    for server in started:
        _stop(server.process)


def open_app(page, server: Server) -> None:
    page.goto(server.url(""), timeout=RUN_ALL * 1000, wait_until="domcontentloaded")
    # Voilà shows the cells when every one has run (a spinner until then).
    page.locator("#rendered_cells").wait_for(state="visible", timeout=RUN_ALL * 1000)


@pytest.mark.parametrize("stem,projector", PRESENTATIONS, ids=[f"{s}{'-projector' if p else ''}"
                                                                for s, p in PRESENTATIONS])
def test_presentation_mode(stem, projector, present, page, artifacts, browser):
    notebook = NOTEBOOK_DIR / f"{stem}.ipynb"
    server = present(stem, projector)
    try:
        open_app(page, server)
        check_views_rendered(page, EXPECTED_VIEWS[stem])
        # A clean app: no code cell, no line of any code cell's source on the page.
        assert page.locator(".jp-CodeMirrorEditor, .jp-InputPrompt:visible, .highlight:visible").count() == 0
        text = page.locator("body").inner_text()
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type == "code":
                first = cell.source.strip().splitlines()[0]
                assert first not in text, f"code is shown: {first!r}"
        body_size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector("
                                  "'.jp-RenderedMarkdown p') || document.body).fontSize)")
        has_style = page.locator("#bt-projector-style").count() > 0
        if projector:
            assert has_style and body_size >= 24, f"projector: text is {body_size}px"
            colour = page.evaluate("() => getComputedStyle(document.querySelector('.jp-RenderedMarkdown p')).color")
            assert colour == "rgb(0, 0, 0)", f"projector: text colour {colour}"
        else:
            assert not has_style and body_size < 20
        where = f"Voilà {stem}{' projector' if projector else ''}"
        check_app_accessible(page, where)
        if stem == "01_network_and_forward_pass":
            # From the top of the freshly loaded app, by keyboard alone.
            page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
            check_keyboard_step_through(page, views_of(page, "step")[0])
        check_interactions(page, EXPECTED_VIEWS[stem], artifacts, f"present-{stem}")
        assert not page_problems(page), page_problems(page)
        check_app_accessible(page, f"{where}, after Next and the other interactions")
        assert not page.page_errors, page.page_errors
    finally:
        _screenshot(page, artifacts / f"present-{stem}{'-projector' if projector else ''}.png")


# --- the projector: large diagrams, labels as large as the text, descriptions on demand ---------------

PROJECTOR_VIEWPORT = {"width": 1280, "height": 800}
PROJECTOR_NOTEBOOKS = ["01_network_and_forward_pass", "02_total_error", "03_backward_pass_output_layer",
                       "04_backward_pass_hidden_layer", "05_training_loop"]

# Per SVG diagram on the page: its rendered width, and its smallest label in px. A label's size is
# its largest glyph (mathtext writes a subscript, like the 5 of w5, smaller, as the text's maths does).
_DIAGRAM_SIZES_JS = """() => [...document.querySelectorAll('.bt-svg-diagram svg')].map(svg => {
    let smallest = Infinity, which = '';
    for (const label of svg.querySelectorAll('text')) {
        const parts = [...label.querySelectorAll('tspan')];
        const sizes = (parts.length ? parts : [label]).map(e => parseFloat(getComputedStyle(e).fontSize));
        const size = Math.max(...sizes) * label.getScreenCTM().a;
        if (size < smallest) { smallest = size; which = label.textContent.replace(/\\s+/g, ''); }
    }
    return {width: svg.getBoundingClientRect().width, smallest, which};
})"""


def _shown(locator) -> bool:
    """Whether an element is visible on screen (a visually hidden one is clipped to 1 px)."""
    box = locator.bounding_box()
    return bool(box and box["width"] > 2 and box["height"] > 2)


def check_describe(view) -> None:
    """The view's figure has a text alternative that is hidden until Describe, and hidden again after."""
    description = view.locator(".bt-description").first
    assert description.text_content().strip(), "the figure has no text alternative"
    assert not _shown(description), "the text alternative is visible before Describe is pressed"
    describe = button(view, "Describe").first
    describe.click()
    wait_until(lambda: _shown(description), INTERACTION, "Describe did not show the text alternative")
    describe.click()
    wait_until(lambda: not _shown(description), INTERACTION, "Describe again did not hide the text alternative")


def click_diagram_part(view, part: str) -> None:
    """Click a part of the view's SVG diagram by its id (e.g. "bt-w-2-0-0-label", w5's name) with the mouse.

    At the middle of its box: a straight edge's box has no height (the stroke is not counted), which
    Playwright calls invisible, but the pointer on its middle hits the stroke.
    """
    target = view.locator(f'.bt-svg-diagram [data-bt="{part}"]').first
    target.scroll_into_view_if_needed()
    boxes = []

    def still():
        # Maths typesetting beside the diagram can move it: click once it stays put.
        boxes.append(target.bounding_box())
        return boxes[-1] and len(boxes) > 1 and boxes[-1] == boxes[-2]

    box = wait_until(still, INTERACTION, f"{part} is not on the diagram, or never stops moving", 0.3) and boxes[-1]
    view.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.parametrize("stem", PROJECTOR_NOTEBOOKS)
def test_projector_diagrams(stem, present, page, artifacts):
    """`present --projector` at 1280x800: each step-through's diagram is at least half the screen wide, its
    smallest label at least the body text; every text alternative shows only on Describe; a click on w5
    opens ∂E/∂w5 (in the chain-rule explorer where there is one, else in the step-through)."""
    server = present(stem, True)
    page.set_viewport_size(PROJECTOR_VIEWPORT)
    try:
        open_app(page, server)
        expected = EXPECTED_VIEWS[stem]
        check_views_rendered(page, expected)
        check_app_accessible(page, f"Voilà {stem} projector")
        body = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.jp-RenderedMarkdown p'))"
                             ".fontSize)")
        assert body >= 24, f"projector body text is {body}px"
        sizes = page.evaluate(_DIAGRAM_SIZES_JS)
        assert len(sizes) == expected.get("step", 0) + expected.get("chain", 0)
        for size in sizes:
            assert size["width"] >= PROJECTOR_VIEWPORT["width"] / 2, f"the diagram is {size['width']:.0f}px wide"
            assert size["smallest"] >= body, (f"the label {size['which']!r} is {size['smallest']:.1f}px, "
                                              f"the body text {body}px")
        for kind in ("step", "chain", "training"):
            for view in views_of(page, kind):
                view.scroll_into_view_if_needed()
                check_describe(view)
        if "chain" in expected:
            chain = views_of(page, "chain")[0]
            heading = chain.locator(".bt-value")
            # Away from w5 first, where the explorer opens at it: neuron o2 chooses the first weight into it, w7.
            click_diagram_part(chain, "bt-n-2-1")
            wait_until(lambda: "dE_total/dw7 = " in heading.inner_text(), INTERACTION,
                       lambda: f"a click on o2 shows {heading.inner_text()}")
            click_diagram_part(chain, "bt-w-2-0-0")   # w5's edge (its name shows only while it is chosen)
            wait_until(lambda: "dE_total/dw5 = " in heading.inner_text(), INTERACTION,
                       lambda: f"a click on w5 shows {heading.inner_text()}")
            assert float(heading.inner_text().split("= ")[1]) == pytest.approx(SEED["cell20_dE_dw5"], rel=1e-8)
        elif "step" in expected:
            step = views_of(page, "step")[0]
            # w5's name is written only while it is highlighted; its edge is always there.
            click_diagram_part(step, "bt-w-2-0-0")
            title = step.locator(".bt-step-title")
            wait_until(lambda: title.inner_text() == "Gradient for w5", INTERACTION,
                       lambda: f"a click on w5 opened {title.inner_text()!r}")
        else:
            print(f"{stem}: no step-through or chain-rule explorer (its diagram is the training view's PNG)")
        # The step a click opened may show a new figure (the error curve): give its image time to load.
        wait_until(lambda: not page_problems(page), INTERACTION, lambda: page_problems(page))
        assert not page.page_errors, page.page_errors
        if "step" in expected:
            check_step_through(views_of(page, "step")[0])      # Next, on the projector too
        check_app_accessible(page, f"Voilà {stem} projector, after a click on the diagram and Next")
    finally:
        _screenshot(page, artifacts / f"projector-{stem}.png")


# --- accessibility: axe-core on every lesson app, the keyboard alone, a focus ring one can see ------------

# axe-core runs on Voilà notebooks 01-07, normal and projector, before and after Next. The tests above
# cover 01, 07 (normal) and 01-06 (projector); these pages complete the set.
ACCESSIBILITY_PAGES = [("02_total_error", False), ("03_backward_pass_output_layer", False),
                       ("04_backward_pass_hidden_layer", False), ("05_training_loop", False),
                       ("06_learning_rate", False), ("07_playground", True)]

# Per slider: its visible label, its handle's accessible name and value text, and its readout.
_SLIDERS_JS = """() => [...document.querySelectorAll('.widget-slider')].map(box => {
    const handle = box.querySelector('.noUi-handle'), readout = box.querySelector('.widget-readout');
    const squash = t => (t || '').replace(/\\s+/g, ' ').trim();
    return {label: squash(box.querySelector('.widget-label')?.textContent).replace(/:$/, ''),
            name: handle?.getAttribute('aria-label'), valuetext: handle?.getAttribute('aria-valuetext'),
            readout: squash(readout?.textContent), readoutName: readout?.getAttribute('aria-label')};
})"""


def check_controls_named(page) -> None:
    """Every slider handle is named by its visible label and says the value its readout shows; every
    icon is hidden from its button's name; every toggle button says whether it is pressed."""
    wait_for_access_script(page, RENDER * 1000)
    for slider in page.evaluate(_SLIDERS_JS):
        assert slider["label"] and slider["name"] == slider["label"], slider
        assert slider["valuetext"] == slider["readout"], slider
        assert slider["readoutName"] and slider["label"] in slider["readoutName"], slider
    assert page.locator(".jupyter-button i:not([aria-hidden='true'])").count() == 0
    toggles = page.locator("button.widget-toggle-button")
    for i in range(toggles.count()):
        toggle = toggles.nth(i)
        pressed = "mod-active" in (toggle.get_attribute("class") or "")
        assert toggle.get_attribute("aria-pressed") == ("true" if pressed else "false"), toggle.inner_text()


def check_app_accessible(page, where: str) -> None:
    """A Voilà app: one <main> holding every cell, named controls, and no axe-core violation that fails."""
    assert page.evaluate("() => document.querySelectorAll('main').length === 1 && "
                         "!!document.querySelector('main #rendered_cells, #rendered_cells main')"), \
        "the page has no single <main> around the lesson"
    check_controls_named(page)
    check_axe(page, where)


def _live_text(view) -> str:
    return view.locator(".bt-live").text_content()


def check_focus_ring(page, artifacts: Path, name: str) -> None:
    """The focused control's ring shows on all four sides at 3:1 or more against what it covers.

    Two screenshots of the same spot, focused and not; the pixels that changed with focus, near each
    edge of the control, must contrast with what they were (a clipped ring loses a side, a faint one
    its contrast)."""
    box = page.evaluate("() => { const r = document.activeElement.getBoundingClientRect(); "
                        "return [r.left, r.top, r.right, r.bottom]; }")
    clip = {"x": max(box[0] - 10, 0), "y": max(box[1] - 10, 0), "width": box[2] - box[0] + 20,
            "height": box[3] - box[1] + 20}
    focused_path, unfocused_path = artifacts / f"focus-{name}.png", artifacts / f"focus-{name}-none.png"
    page.screenshot(path=str(focused_path), clip=clip)
    page.evaluate("() => { window.__btFocused = document.activeElement; document.activeElement.blur(); }")
    page.screenshot(path=str(unfocused_path), clip=clip)
    page.evaluate("() => window.__btFocused.focus({focusVisible: true})")
    inner = (box[0] - clip["x"], box[1] - clip["y"], box[2] - clip["x"], box[3] - clip["y"])
    sides = focus_ring_sides(Image.open(focused_path), Image.open(unfocused_path), inner)
    short = min(box[2] - box[0], box[3] - box[1])
    assert all(count >= short for count in sides.values()), f"{name}: the focus ring is not visible all round: {sides}"


@pytest.mark.parametrize("stem,projector", ACCESSIBILITY_PAGES,
                         ids=[f"{s}{'-projector' if p else ''}" for s, p in ACCESSIBILITY_PAGES])
def test_accessibility_in_voila(stem, projector, present, page, artifacts):
    """axe-core finds nothing serious on the app, before and after Next (or the slider, or Play);
    notebook 03 is also walked by keyboard alone: focus ring, live region, focus handed on."""
    server = present(stem, projector)
    try:
        open_app(page, server)
        expected = EXPECTED_VIEWS[stem]
        check_views_rendered(page, expected)
        where = f"Voilà {stem}{' projector' if projector else ''}"
        check_app_accessible(page, where)
        if not projector:   # (the projector's sizes: test_projector_diagrams)
            body = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.jp-RenderedMarkdown p'))"
                                 ".fontSize)")
            for size in page.evaluate(_DIAGRAM_SIZES_JS):
                assert size["smallest"] >= body, (f"the label {size['which']!r} is {size['smallest']:.1f}px, "
                                                  f"the body text {body}px")
        if stem == "03_backward_pass_output_layer":
            check_keyboard_walk(page, views_of(page, "step")[0], artifacts)
        else:
            check_interactions(page, expected, artifacts, f"a11y-{stem}")
        assert not page_problems(page), page_problems(page)
        check_app_accessible(page, f"{where}, after Next")
    finally:
        _screenshot(page, artifacts / f"a11y-{stem}{'-projector' if projector else ''}.png")


def check_keyboard_walk(page, view, artifacts: Path) -> None:
    """From the top of the page with Tab, Enter and the arrows: Next is reached and pressed, the live
    region says the new step, the focus ring shows all round, and focus survives Previous disabling itself."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    assert view.get_by_role("button", name="Next", exact=True).count() == 1, "Next's name is not 'Next'"
    header = view.locator(".bt-step-header")
    step = lambda: int(re.search(r"Step (\d+) of", header.inner_text()).group(1))  # noqa: E731
    start, said = step(), _live_text(view)
    keyboard_to(page, "Next", max_tabs=120)
    check_focus_ring(page, artifacts, "next")
    page.keyboard.press("Enter")
    wait_until(lambda: step() == start + 1, INTERACTION, lambda: f"Enter on Next: {header.inner_text()}")
    wait_until(lambda: _live_text(view) != said and f"Step {start + 1} of" in _live_text(view), INTERACTION,
               lambda: f"the live region did not say the new step: {_live_text(view)!r}")
    # Reset (step 1), Next (step 2), then Previous: back at step 1 it disables itself, and focus goes to
    # its partner Next, not to the page.
    focused = lambda: page.evaluate("() => document.activeElement.innerText.trim()")  # noqa: E731
    for key, label, target in (("Tab", "Reset", 1), ("Shift+Tab", "Next", 2), ("Shift+Tab", "Previous", 1)):
        page.keyboard.press(key)
        assert focused() == label, f"{key} reached {focused()!r}, not {label}"
        page.keyboard.press("Enter")
        wait_until(lambda: step() == target, INTERACTION,  # noqa: B023 (waited for before the loop goes on)
                   lambda: f"Enter on {label}: {header.inner_text()}")  # noqa: B023
    wait_until(lambda: focused() == "Next", INTERACTION,
               lambda: "focus did not move to Next when Previous was disabled: "
               + str(page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")))
    keyboard_to(page, "Step", max_tabs=8, role="slider")
    check_focus_ring(page, artifacts, "slider")
    page.keyboard.press("ArrowRight")
    wait_until(lambda: step() == 2, INTERACTION, lambda: f"ArrowRight on the step slider: {header.inner_text()}")
    wait_until(lambda: "Step 2 of" in _live_text(view), INTERACTION,
               lambda: f"the live region did not follow the slider: {_live_text(view)!r}")
