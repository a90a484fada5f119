"""Run every notebook as a student would: JupyterLab from the venv, headless Chromium, Run All.

nbval and nbconvert pass on notebooks that no browser can show (issue 11: a
chart sized ``width: "container"`` made JupyterLab's Vega renderer redraw its
output forever and the tab froze). Here one JupyterLab server on 127.0.0.1,
with its own configuration, runtime and settings folders, opens each
notebook's ``.ipynb`` twin in one Chromium page with every other host blocked,
runs all cells and checks what the reader sees: every chart drawn, no error
output, no uncaught page error, the tab's memory bounded, no MyST placeholder
left in the text, and in the explorers notebook every control changing what
the explorer shows.

Set ``JUPYTERLAB_SHOTS`` to a folder to keep a screenshot of each notebook.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_browser import block_other_hosts

from manchuria.book import REPO_ROOT, toc_notebooks
from manchuria.sphinx.twins import write_notebook_twins

# One worker runs the module (`make test` spreads tests over every core), so one JupyterLab starts.
pytestmark = [pytest.mark.browser, pytest.mark.jupyterlab, pytest.mark.xdist_group("jupyterlab")]

NOTEBOOKS = [path.stem for path in toc_notebooks() if path.suffix == ".md"]
CHART_NOTEBOOKS = {path.stem for path in toc_notebooks() if "charts." in path.read_text(encoding="utf-8")}
EXPLORERS_NOTEBOOK = "explorers"
VEGA_OUTPUT = ".jp-RenderedVegaCommon5"

# Settings for the test's own JupyterLab user-settings folder. Autosave off: the
# test never writes the twins. Windowing off: every cell is laid out, so every
# chart is drawn and measurable. No news or update checks (they would ask the network).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}

# Memory bounds for the tab, from measurement (JupyterLab 4.6.6, Chromium 1280x900, 1 Dec 2026):
# after each notebook the JS heap held 64-130 MB (explorers the most) and did not
# move in 3 s once idle. Before the fix the tab grew by 15-22 MB every second.
HEAP_LIMIT_MB = 300
HEAP_GROWTH_LIMIT_MB = 10
SETTLE_SECONDS = 3

# What a student must never see in rendered markdown: MyST roles the twin did not
# resolve, and glue format specs left behind ("count:g per cent", "value:,.0f").
PLACEHOLDERS = re.compile(r"\{(glue|cite|numref|ref|term|doc|download|eq)[:}`]")
GLUE_FORMAT_RESIDUE = re.compile(r"\w:(,?\.\d+[fe%]|,d?|g|%)(?=[\s.,;:)]|$)")

RUN_ALL_TIMEOUT_MS = 60_000
DRAW_TIMEOUT_MS = 20_000
CONTROL_TIMEOUT_MS = 15_000
CONTROL_TRIES = 3


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(site_held):
    """One JupyterLab server for the module, on 127.0.0.1, with nothing of the user's configuration.

    After the book build (``site_held``), which writes the twins this opens; writing them here is then a no-op.
    """
    write_notebook_twins(REPO_ROOT, report=lambda *_: None)
    home = Path(tempfile.mkdtemp(prefix="manchuria-jupyterlab-"))
    settings = home / "config" / "lab" / "user-settings"
    for plugin, values in LAB_SETTINGS.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("jupyter")),
        "lab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={REPO_ROOT}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    log_path = home / "jupyterlab.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer on {url} within 60 s:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(home, ignore_errors=True)


def _our_renderers() -> list[int]:
    """Chromium renderer processes started by this test process (through Playwright's driver)."""
    children: dict[int, list[int]] = {}
    commands: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                commands[int(entry.name)] = (entry / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [os.getpid()]
    while stack:
        for child in children.get(stack.pop(), []):
            stack.append(child)
            if b"--type=renderer" in commands.get(child, b""):
                found.append(child)
    return found


@contextmanager
def frozen_tab_guard(seconds: float, doing: str) -> Iterator[None]:
    """Fail clearly if the tab stops responding.

    A tab stuck in a redraw loop never answers, and then Playwright's own
    timeouts never fire either; after ``seconds`` this ends the tab's renderer
    (ours, found by process id), which makes the pending call fail.
    """
    fired = threading.Event()

    def end_renderers() -> None:
        fired.set()
        for pid in _our_renderers():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    timer = threading.Timer(seconds, end_renderers)
    timer.start()
    try:
        yield
    except Exception as error:
        if fired.is_set():
            raise AssertionError(f"the JupyterLab tab stopped responding for {seconds:.0f} s while {doing}") from error
        raise
    finally:
        timer.cancel()


class Lab:
    """One Chromium page on JupyterLab, reused for every notebook, recording errors and blocked requests."""

    def __init__(self, browser, url: str):
        self.browser = browser
        self.url = url
        self.context = None
        self.page = None
        self.cdp = None
        self.console_errors: list[str] = []
        self.external_requests: list[str] = []
        self._calls = 0

    def open(self) -> None:
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        block_other_hosts(self.context, self)  # records them in self.external_requests
        self.page = self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")
        self.page.goto(f"{self.url}/lab?reset")
        self.wait(
            "() => window.jupyterapp && window.jupyterapp.started", timeout_ms=60_000, doing="starting JupyterLab"
        )
        self.call("() => window.jupyterapp.restored.then(() => true)")

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        self.context = self.page = self.cdp = None

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        # No JupyterLab noise is excused: a clean run of every notebook logs no error.
        location = message.location.get("url", "") if message.location else ""
        self.console_errors.append(f"{message.text} ({location})" if location else message.text)

    def wait(self, predicate: str, arg=None, *, timeout_ms: int, doing: str, polling: int = 200):
        """``page.wait_for_function``, guarded against a frozen tab (whose Playwright timeouts never fire)."""
        with frozen_tab_guard(timeout_ms / 1000 + 15, doing):
            return self.page.wait_for_function(predicate, arg=arg, timeout=timeout_ms, polling=polling)

    def call(self, function: str, arg=None, timeout_ms: int = 60_000):
        """Run an async page function and return its result, failing after ``timeout_ms``.

        ``page.evaluate`` has no timeout, and never returns from a tab stuck in a
        redraw loop; this polls for the result instead.
        """
        self._calls += 1
        slot = f"__manchuriaCall{self._calls}"
        done = self.wait(
            """([slot, source, arg]) => {
                if (!(slot in window)) {
                    window[slot] = null;
                    Promise.resolve((new Function('return ' + source))()(arg)).then(
                        value => { window[slot] = {value}; },
                        error => { window[slot] = {error: String(error && error.stack || error)}; });
                }
                return window[slot];
            }""",
            arg=[slot, function, arg],
            timeout_ms=timeout_ms,
            doing=f"running {function[:60]!r}",
        )
        with frozen_tab_guard(15, "reading a result"):
            result = done.json_value()
        if "error" in result:
            raise AssertionError(f"page function failed: {result['error']}")
        return result.get("value")

    def heap_mb(self) -> float:
        with frozen_tab_guard(15, "reading the tab's memory"):
            metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        return metrics["JSHeapUsedSize"] / 1e6

    def open_notebook(self, name: str) -> None:
        """Open ``book/<name>.ipynb`` as a notebook and wait for its kernel."""
        self.call(
            """async path => {
                const widget = await window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Notebook'});
                await widget.context.ready;
                await widget.sessionContext.ready;
                return true;
            }""",
            f"book/{name}.ipynb",
        )
        self.wait(
            "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
            timeout_ms=60_000,
            doing=f"starting the kernel of {name}",
        )

    def run_all(self) -> None:
        """Run every cell; return when the kernel is idle and each code cell ran (or one failed)."""
        self.call("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); return true; }")
        self.wait(
            """() => {
                const widget = window.jupyterapp.shell.currentWidget;
                const kernel = widget.sessionContext.session?.kernel;
                const cells = [...widget.content.model.cells].filter(cell => cell.type === 'code');
                const failed = cells.some(cell => [...Array(cell.outputs.length).keys()]
                    .some(i => cell.outputs.get(i).type === 'error'));
                const pending = widget.content.widgets.some(cell => cell.promptNode?.textContent.includes('*'));
                return kernel?.status === 'idle' && !pending && (failed || cells.every(cell => cell.executionCount !== null));
            }""",
            timeout_ms=RUN_ALL_TIMEOUT_MS,
            doing="running all cells",
            polling=500,
        )

    def notebook_state(self) -> dict:
        return self.call(
            """selector => {
                const widget = window.jupyterapp.shell.currentWidget;
                const node = widget.content.node;
                const cells = [...widget.content.model.cells].filter(cell => cell.type === 'code');
                const charts = [...node.querySelectorAll(selector)].map(el => {
                    const drawing = el.querySelector('svg, canvas');
                    const box = drawing ? drawing.getBoundingClientRect() : {width: 0, height: 0};
                    return {drawn: box.width > 0 && box.height > 0,
                            error: el.querySelector('.error, .vega-error') !== null || el.textContent.includes('Error')};
                });
                return {
                    unrun: cells.filter(cell => cell.executionCount === null).length,
                    charts,
                    errorOutputs: [...node.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
                        .map(el => el.textContent.slice(0, 400)),
                    jsErrors: [...node.querySelectorAll('.jp-OutputArea-output')].filter(el => el.textContent.startsWith('Javascript Error'))
                        .map(el => el.textContent.slice(0, 400)),
                    markdown: [...node.querySelectorAll('.jp-MarkdownOutput')].map(el => el.innerText).join('\\n'),
                };
            }""",
            VEGA_OUTPUT,
        )

    def wait_for_charts(self) -> None:
        self.wait(
            """selector => [...window.jupyterapp.shell.currentWidget.content.node.querySelectorAll(selector)]
                .every(el => { const d = el.querySelector('svg, canvas'); return d && d.getBoundingClientRect().width > 0; })""",
            VEGA_OUTPUT,
            timeout_ms=DRAW_TIMEOUT_MS,
            doing="drawing the charts",
        )

    def screenshot(self, name: str, show: str | None = None) -> None:
        """Keep a screenshot in $JUPYTERLAB_SHOTS, if set, scrolled to the first ``show`` element."""
        folder = os.environ.get("JUPYTERLAB_SHOTS")
        if not folder:
            return
        with frozen_tab_guard(30, "taking a screenshot"):
            if show and self.page.locator(show).count():
                self.page.locator(show).first.evaluate("el => el.scrollIntoView({block: 'center'})")
                self.page.wait_for_timeout(300)
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"jupyterlab-{name}.png"))

    def close_notebook(self) -> None:
        """Shut the notebook's kernel down and close it without saving (timed: the tab may be frozen)."""
        self.call(
            """async () => {
                const widget = window.jupyterapp.shell.currentWidget;
                if (widget && widget.sessionContext) {
                    await widget.sessionContext.shutdown();
                    widget.context.model.dirty = false;
                    widget.dispose();
                }
                return true;
            }""",
            timeout_ms=30_000,
        )


@pytest.fixture(scope="module")
def lab(browser, jupyterlab):
    session = Lab(browser, jupyterlab)
    session.open()
    yield session
    session.close()


@pytest.fixture
def notebook_run(lab, request):
    """Open and run one notebook, and close it afterwards; a broken tab is replaced for the next one."""
    lab.console_errors.clear()
    lab.external_requests.clear()
    if lab.page is None:
        lab.open()
    name = request.param
    try:
        lab.open_notebook(name)
        started = time.monotonic()
        lab.run_all()
        if name in CHART_NOTEBOOKS:
            lab.wait_for_charts()
    except BaseException:
        lab.close()  # a frozen tab must not hang the next notebook
        raise
    yield name, time.monotonic() - started
    try:
        lab.close_notebook()
    except BaseException:
        lab.close()
        raise


@pytest.mark.parametrize("notebook_run", NOTEBOOKS, indirect=True)
def test_notebook_runs_in_jupyterlab_with_every_chart_drawn(lab, notebook_run):
    name, seconds = notebook_run
    state = lab.notebook_state()
    first_heap = lab.heap_mb()
    lab.page.wait_for_timeout(SETTLE_SECONDS * 1000)
    settled_heap = lab.heap_mb()
    lab.screenshot(name, show=VEGA_OUTPUT)
    print(
        f"{name}: ran in {seconds:.1f} s; JS heap {first_heap:.0f} MB, {settled_heap:.0f} MB {SETTLE_SECONDS} s later"
    )

    assert state["unrun"] == 0 and state["errorOutputs"] == [], (
        f"{name}: {state['unrun']} code cells did not run; error output: {state['errorOutputs']}"
    )
    if name in CHART_NOTEBOOKS:
        assert state["charts"], f"{name} draws charts in the book, so it must show some in JupyterLab"
    assert all(chart["drawn"] for chart in state["charts"]), f"{name}: undrawn charts {state['charts']}"
    assert not any(chart["error"] for chart in state["charts"]), f"{name}: a chart shows an error {state['charts']}"
    assert state["jsErrors"] == [], f"{name}: a renderer failed: {state['jsErrors']}"
    assert lab.console_errors == [], f"{name}: console errors {lab.console_errors}"
    assert lab.external_requests == [], f"{name} asked other hosts for {lab.external_requests}"
    assert settled_heap < HEAP_LIMIT_MB, f"{name}: the tab's JS heap is {settled_heap:.0f} MB"
    assert settled_heap - first_heap < HEAP_GROWTH_LIMIT_MB, (
        f"{name}: the tab's JS heap still grows when idle ({first_heap:.0f} -> {settled_heap:.0f} MB in {SETTLE_SECONDS} s)"
    )
    placeholders = sorted({match.group(0) for match in PLACEHOLDERS.finditer(state["markdown"])})
    assert placeholders == [], f"{name}: unresolved MyST in the text: {placeholders}"
    residue = sorted({match.group(0) for match in GLUE_FORMAT_RESIDUE.finditer(state["markdown"])})
    assert residue == [], f"{name}: glue format specs left in the text: {residue}"


# --- The explorers: every live control changes what its explorer shows -------------------

# ipywidgets' classes for the controls an explorer may offer.
CONTROL_SELECTOR = ".widget-dropdown, .widget-toggle-buttons, .widget-text, .widget-slider"

MARK_EXPLORERS = """controls => {
    // Each explorer is an outermost widget box holding controls; number them in page order.
    const boxes = [...document.querySelectorAll('.jp-OutputArea-output .widget-box')]
        .filter(box => box.querySelector(controls) && !box.parentElement.closest('.widget-box'));
    boxes.forEach((box, index) => { box.dataset.explorerIndex = String(index); });
    return boxes.length;
}"""

RESULT_SIGNATURE = """([index, controls]) => {
    // What explorer number ``index`` shows, less its controls: message, chart and table.
    const box = document.querySelector(`[data-explorer-index="${index}"]`);
    const parts = [...box.children].filter(child => !child.matches(controls) && !child.querySelector(controls));
    return JSON.stringify(parts.map(part => [
        part.innerText,
        [...part.querySelectorAll('canvas')].map(canvas => canvas.width > 0 ? canvas.toDataURL() : ''),
        [...part.querySelectorAll('svg')].map(svg => svg.outerHTML),
    ]));
}"""


def _label(control) -> str:
    labels = control.locator(".widget-label")
    return labels.first.inner_text().strip() if labels.count() else "(no label)"


TEXT_TRIES = {"name": ["Mukden", "Port Arthur", "Harbin"], "other": ["Stalin", "Mao", "Soviet"]}


def _change(page, control, attempt: int = 0) -> str:
    """Change one control as a reader would (a different change on each attempt); return what was done."""
    classes = control.get_attribute("class") or ""
    label = _label(control)
    if "widget-dropdown" in classes:
        select = control.locator("select")
        current = select.evaluate("select => select.selectedIndex")
        select.select_option(index=(current + 1) % select.locator("option").count())
        return f"dropdown {label!r}"
    if "widget-toggle-buttons" in classes:
        buttons = control.locator("button:not(.mod-active)")
        buttons.nth(attempt % buttons.count()).click()
        return f"toggle buttons {label!r}"
    if "widget-text" in classes:
        box = control.locator("input")
        box.fill("")
        words = TEXT_TRIES["name" if "name" in label.lower() else "other"]
        box.press_sequentially(words[attempt % len(words)], delay=30)
        box.press("Tab")
        return f"text box {label!r}"
    if "widget-slider" in classes:
        handle = control.locator(".noUi-handle").first.bounding_box()
        track = control.locator(".noUi-target").first.bounding_box()
        y = handle["y"] + handle["height"] / 2
        page.mouse.move(handle["x"] + handle["width"] / 2, y)
        page.mouse.down()
        # A fifth of the track towards its middle: a range's two ends never cross.
        centre = handle["x"] + handle["width"] / 2
        towards_middle = 1 if centre < track["x"] + track["width"] / 2 else -1
        page.mouse.move(centre + towards_middle * track["width"] / 5, y, steps=8)
        page.mouse.up()
        return f"slider {label!r}"
    raise AssertionError(f"an explorer control of an unexpected kind: {classes}")


KIND_ORDER = ("widget-slider", "widget-toggle-buttons", "widget-dropdown", "widget-text")


def _kind_rank(control) -> int:
    classes = control.get_attribute("class") or ""
    return next((rank for rank, kind in enumerate(KIND_ORDER) if kind in classes), len(KIND_ORDER))


def _wait_for_change(lab, index: int, before: str, timeout_ms: int) -> bool:
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        if lab.call(RESULT_SIGNATURE, [index, CONTROL_SELECTOR]) != before:
            return True
        time.sleep(0.25)
    return False


def _explorer_calls() -> int:
    """How many explorers the notebook shows: its code cells that end by calling one."""
    twin = json.loads((REPO_ROOT / "book" / f"{EXPLORERS_NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(cell["source"]).strip() for cell in twin["cells"] if cell["cell_type"] == "code"]
    return sum(bool(re.search(r"^explorers\.\w+\(.*\)$", source.splitlines()[-1])) for source in sources if source)


@pytest.mark.parametrize("notebook_run", [EXPLORERS_NOTEBOOK], indirect=True)
def test_every_explorer_control_changes_what_the_explorer_shows(lab, notebook_run):
    page = lab.page
    expected = _explorer_calls()
    lab.wait(
        "([marker, controls, n]) => (new Function('return ' + marker))()(controls) >= n",
        [MARK_EXPLORERS, CONTROL_SELECTOR, expected],
        timeout_ms=DRAW_TIMEOUT_MS,
        doing="showing the explorers' widgets",
    )
    count = lab.call(MARK_EXPLORERS, CONTROL_SELECTOR)
    assert expected >= 5 and count == expected, f"expected {expected} live explorers, found {count}"
    unchanged, tried = [], []
    for index in range(count):
        box = page.locator(f'[data-explorer-index="{index}"]')
        controls = box.locator(CONTROL_SELECTOR)
        assert controls.count() >= 1, f"explorer {index + 1} shows no controls"
        # Broadest changes first (a range before a menu before a word), so each one still has rows to change.
        order = sorted(range(controls.count()), key=lambda position: _kind_rank(controls.nth(position)))
        for position in order:
            control = controls.nth(position)
            control.scroll_into_view_if_needed()
            # A change can leave the rows as they were (no event of that kind in those
            # years, say); a control that changes nothing in three tries is broken.
            for attempt in range(CONTROL_TRIES):
                before = lab.call(RESULT_SIGNATURE, [index, CONTROL_SELECTOR])
                with frozen_tab_guard(30, f"changing control {position + 1} of explorer {index + 1}"):
                    action = f"explorer {index + 1}: {_change(page, control, attempt)}"
                if _wait_for_change(lab, index, before, CONTROL_TIMEOUT_MS if attempt == CONTROL_TRIES - 1 else 5_000):
                    break
            else:
                unchanged.append(action)
            tried.append(action)
        if index == 0:
            lab.screenshot(
                f"{EXPLORERS_NOTEBOOK}-after-controls", show=f'[data-explorer-index="{index}"] {VEGA_OUTPUT}'
            )
    kinds = " ".join(tried)
    for kind in ("dropdown", "slider", "text box"):
        assert kind in kinds, f"no explorer offers a {kind}: {tried}"
    assert unchanged == [], f"these controls did not change what their explorer shows: {unchanged}"
    assert lab.console_errors == [], f"console errors while using the explorers: {lab.console_errors}"
    state = lab.notebook_state()
    assert state["errorOutputs"] == [], f"the explorers printed errors: {state['errorOutputs']}"
    assert all(chart["drawn"] for chart in state["charts"]), f"undrawn explorer charts: {state['charts']}"
