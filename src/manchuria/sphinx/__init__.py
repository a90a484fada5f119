"""The book's build code: the Sphinx extension and what it uses, the layer below the kernel modules.

The extension is :mod:`manchuria.sphinx.extension` (listed in ``_config.yml``):
the chart plugin, the page assets, the downloads, the bibliography styles, the
Data page's directive, the notebook twins, the execution cache and the upstream
workarounds. No module here imports a module of ``manchuria`` outside this
package (only ``manchuria.__version__``, which imports nothing); the book's
paths come from Sphinx (``app.srcdir`` and its configuration), not from the
repository's layout. ``tests/test_layers.py`` holds that rule.

The kernel modules may import the protocol modules (:mod:`.specs`, :mod:`.chartdom`)
and the facts they share with the build (:mod:`.bibfile`: the bibliography's
labels and kinds; :mod:`.datapackage`: reading ``datapackage.json``; :mod:`.toc`:
the pages ``_toc.yml`` lists), which import nothing else of the package, so
editing the rest re-executes no notebook. This file imports nothing.
"""
