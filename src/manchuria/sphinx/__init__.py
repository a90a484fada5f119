"""The book's Sphinx code: the chart plugin, the page assets, the downloads and the upstream workarounds.

The extension is :mod:`manchuria.sphinx.extension` (listed in ``_config.yml``). The
kernel imports only this package's protocol modules (:mod:`.specs`, :mod:`.chartdom`),
which import nothing, so editing the rest re-executes no notebook. The chart,
downloads, execution, icons and workarounds modules import no kernel module;
:mod:`.extension` still imports ``book``, ``bibstyle`` and ``datadictionary``. This
file imports nothing.
"""
