"""The book's Sphinx code: the chart plugin, the page assets, the downloads and the upstream workarounds.

The extension is :mod:`manchuria.sphinx.extension` (listed in ``_config.yml``).
This package sits below the kernel modules and imports none of them, so editing
it re-executes no notebook; the kernel imports only its protocol modules
(:mod:`.specs`, :mod:`.chartdom`), which import nothing. So this file imports nothing.
"""
