"""Execute the notebooks the execution cache lacks in parallel, before Sphinx reads them.

With ``execute_notebooks: cache``, myst-nb runs each notebook that jupyter-cache does
not hold while Sphinx reads its page, one after another. This handler, on
``env-before-read-docs`` (it receives exactly the docnames about to be read), finds
the notebooks among them that the cache lacks and runs them first, one worker per
core, into the same jupyter-cache, so that myst-nb then only logs "Using cached
notebook" and merges the outputs.

Everything is done as myst-nb does it (``myst_nb/sphinx_.py`` and
``myst_nb/core/execute/cache.py``, myst-nb 1.4.0), so the cache key is the one myst-nb
looks up: each notebook is read with myst-nb's own reader and Markdown configuration,
``nb_kernel_rgx_aliases`` and the notebook's ``mystnb`` metadata are applied (its
execution mode, exclude patterns, timeout), then it is executed as jupyter-cache's
``single_nb_execution`` executes it for myst-nb, under ``nb_execution_timeout`` and
``nb_execution_allow_errors``, in the notebook's folder (or a temporary one with
``nb_execution_in_temp``), and cached with ``execution_seconds`` as myst-nb caches it,
in ``env.mystnb_config.execution_cache_path`` (``_build/.jupyter_cache`` under
Jupyter Book). The cache key is jupyter-cache's: code cells with their metadata, and
the kernelspec. A ``source-read`` handler that changed code cells would change the key
myst-nb looks up; such a notebook would simply be executed again by myst-nb.

* Workers are *spawned* (a ``ProcessPoolExecutor`` on the "spawn" context), not forked:
  the Sphinx process may already run threads (vl-convert's runtime), which a fork would
  copy in an undefined state. A spawned worker imports the parent's main module, so
  Sphinx must be started from a guarded one (``if __name__ == "__main__":``), as
  ``jupyter-book``, ``sphinx-build`` and pytest are.
* Workers only execute, with nbclient; the parent writes each result into the cache,
  so the cache's SQLite database has one writer.
* A notebook that fails (a cell's error, a timeout, a dead kernel, a worker that dies)
  is not cached. myst-nb then executes it again while reading its page, and reports
  the failure exactly as it does without this step.
* With one notebook or none to run, no pool is started: myst-nb runs it as usual.

The module imports only the standard library and Sphinx's logging at import time;
myst-nb and jupyter-cache are imported in the handler, nbclient in the workers, and
nothing the notebooks' kernels use (pandas, Altair, ``manchuria.charts``) at all.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sphinx.util import logging

logger = logging.getLogger(__name__)

MYST_NB_PARSER = "myst-nb"


@dataclass(frozen=True)
class Task:
    """One notebook for a worker: picklable, so it crosses into a spawned process."""

    docname: str
    path: str
    notebook: Any  # nbformat.NotebookNode, as myst-nb would execute it
    in_temp: bool  # nb_execution_in_temp: run in a temporary folder, else the notebook's own
    timeout: int | None
    allow_errors: bool


@dataclass(frozen=True)
class Result:
    docname: str
    notebook: Any | None  # the executed notebook, or None when it failed
    seconds: float
    error: str | None  # the exception's class name when it failed


def execute(task: Task) -> Result:
    """Run one notebook as myst-nb's cache client does; runs in a worker process.

    This is jupyter-cache's ``single_nb_execution(nb, cwd, timeout, allow_errors,
    meta_override=True)`` (``jupyter_cache/executors/utils.py``), which myst-nb calls, written
    out with nbclient alone: importing jupyter-cache (SQLAlchemy) would add a second or more
    to each worker's start, and the workers never touch the cache.
    """
    from contextlib import nullcontext

    from nbclient import execute as execute_notebook

    notebook, timeout, allow_errors = task.notebook, task.timeout, task.allow_errors
    settings = notebook.metadata.get("execution", {})  # meta_override=True
    timeout = settings.get("timeout", timeout)
    allow_errors = settings.get("allow_errors", allow_errors)
    start = time.perf_counter()
    try:
        folder = tempfile.TemporaryDirectory() if task.in_temp else nullcontext(str(Path(task.path).parent))
        with folder as cwd:
            execute_notebook(
                notebook, cwd=os.path.abspath(cwd), timeout=timeout, allow_errors=allow_errors, record_timing=False
            )
    except Exception as error:  # a cell's error or timeout, a dead kernel: myst-nb meets it again
        return Result(task.docname, None, time.perf_counter() - start, type(error).__name__)
    return Result(task.docname, notebook, time.perf_counter() - start, None)


def notebook_to_execute(env: Any, docname: str) -> Task | None:
    """The notebook myst-nb would execute through the cache for ``docname``, or None.

    None for a page myst-nb does not parse as a notebook, one excluded from execution,
    one whose execution mode (perhaps set in its own metadata) is not "cache".
    """
    from myst_nb.core.read import create_nb_reader

    path = Path(env.doc2path(docname))
    if env.config.source_suffix.get(path.suffix) != MYST_NB_PARSER:
        return None
    nb_config = env.mystnb_config
    # Sphinx reads the source with this encoding before handing it to myst-nb's parser.
    text = path.read_text(encoding=env.config.source_encoding)
    reader = create_nb_reader(str(path), env.myst_config, nb_config, text)
    if reader is None:
        return None
    notebook = reader.read(text)
    # As myst-nb's parser does before it executes: the kernel alias (part of the cache key) ...
    kernelspec = notebook.metadata.get("kernelspec", {})
    if kernelspec.get("name") is not None and nb_config.kernel_rgx_aliases:
        for pattern, alias in nb_config.kernel_rgx_aliases.items():
            if re.fullmatch(pattern, kernelspec["name"]):
                kernelspec["name"] = alias
                break
    # ... and the notebook's own settings (myst-nb warns and ignores them when they are invalid).
    if nb_config.metadata_key in notebook.metadata:
        from myst_nb.core.nb_to_tokens import nb_node_to_dict

        overrides = nb_node_to_dict(notebook.metadata[nb_config.metadata_key])
        overrides.pop("output_folder", None)
        try:
            nb_config = nb_config.copy(**overrides)
        except Exception:
            pass
    if nb_config.execution_mode != "cache":
        return None
    posix_path = PurePosixPath(path.as_posix())
    if any(posix_path.match(pattern) for pattern in nb_config.execution_excludepatterns):
        return None
    return Task(
        docname,
        str(path),
        notebook,
        nb_config.execution_in_temp,
        nb_config.execution_timeout,
        nb_config.execution_allow_errors,
    )


def workers_for(count: int) -> int:
    """One worker per core, and no more workers than notebooks."""
    return max(1, min(os.cpu_count() or 1, count))


def pre_execute(app: Any, env: Any, docnames: list[str]) -> None:
    """``env-before-read-docs``: run the notebooks about to be read that the cache lacks."""
    if env.mystnb_config.execution_mode != "cache":
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(env.mystnb_config.execution_cache_path or ".jupyter_cache")
    tasks = []
    for docname in docnames:
        try:
            task = notebook_to_execute(env, docname)
        except Exception:  # unreadable: left to Sphinx and myst-nb, which report it as usual
            continue
        if task is None:
            continue
        try:
            cache.match_cache_notebook(task.notebook)
        except KeyError:
            tasks.append(task)
    if len(tasks) < 2:
        return  # nothing to gain from a pool: myst-nb runs a lone notebook itself
    # Largest first, so a long notebook does not start last and leave the other worker idle.
    tasks.sort(key=lambda task: Path(task.path).stat().st_size, reverse=True)
    workers = workers_for(len(tasks))
    logger.info("pre-executing %d notebooks on %d workers", len(tasks), workers)
    start = time.perf_counter()
    # spawn, not fork: see the module's docstring. A worker that dies (the pool breaks) only
    # leaves its notebooks, and those not yet run, to myst-nb.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        futures = {pool.submit(execute, task): task for task in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                result = future.result()
            except Exception as error:  # BrokenProcessPool: a worker was killed or could not start
                result = Result(task.docname, None, 0.0, type(error).__name__)
            if result.notebook is None:
                logger.info(
                    "pre-executing %s failed (%s) after %.1f s; it is left uncached, "
                    "so it runs again as its page is read",
                    task.docname,
                    result.error,
                    result.seconds,
                )
                continue
            cache.cache_notebook_bundle(
                CacheBundleIn(result.notebook, task.path, data={"execution_seconds": result.seconds}),
                check_validity=False,
                overwrite=True,
            )
            try:  # the key myst-nb will look up: that of the notebook as read, before execution
                cache.match_cache_notebook(task.notebook)
            except KeyError:
                logger.info(
                    "pre-executed %s, but it was cached under another key; it runs again as its page is read",
                    task.docname,
                )
            else:
                logger.info("pre-executed %s in %.1f s", task.docname, result.seconds)
    logger.info("pre-execution took %.1f s", time.perf_counter() - start)
