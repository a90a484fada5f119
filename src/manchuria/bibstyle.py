"""A pybtex style whose bibliography labels are the entries' keys.

The data files cite sources by key (``frus1946v09d264``), so the Bibliography
shows each key beside its entry, in key order, to be looked up; in the text,
citations stay author–year. Titles keep their capitals: BibTeX's sentence case
would print "the soviet union (kennan)".

Most fields in ``references.bib`` are plain Unicode, yet pybtex decodes every
one as LaTeX, character by character, on every build: about two seconds for
the book's 378 entries. Text with nothing LaTeX could change skips the decoder.
"""

from __future__ import annotations

import re

from pybtex import richtext
from pybtex.plugin import register_plugin
from pybtex.style import FormattedEntry
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import field, sentence

STYLE_NAME = "keyed"
# Characters and ligatures that LaTeX decoding would change (--, ``, '', ~, braces, commands...).
LATEX_SYNTAX = re.compile(r"[\\{}$~%&#^_`]|--|''")


class KeyLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield entry.key


class KeySortingStyle(BaseSortingStyle):
    def sorting_key(self, entry):
        return entry.key.lower()


class KeyedStyle(PlainStyle):
    default_label_style = KeyLabelStyle
    default_sorting_style = KeySortingStyle

    # sphinxcontrib-bibtex formats every entry twice per build, for the list and
    # for the citation tooltips, with the same style; the second time is free.
    # Entries are not hashable, so the cache keys on id() and keeps the entry
    # alive beside its text, which stops the id from being reused.
    _formatted: dict[int, tuple[object, object]] = {}

    def format_entry(self, label, entry, bib_data=None):
        if id(entry) not in KeyedStyle._formatted:
            KeyedStyle._formatted[id(entry)] = (entry, super().format_entry(label, entry, bib_data).text)
        return FormattedEntry(entry.key, KeyedStyle._formatted[id(entry)][1], label)

    def format_title(self, e, which_field, as_sentence=True):
        title = field(which_field)
        return sentence[title] if as_sentence else title


_decode_latex = richtext.Text.from_latex.__func__


def _from_latex(cls, latex: str) -> richtext.Text:
    """``Text.from_latex`` with a shortcut for text that holds no LaTeX syntax."""
    if LATEX_SYNTAX.search(latex):
        return _decode_latex(cls, latex)
    return cls(latex)


def register() -> None:
    register_plugin("pybtex.style.formatting", STYLE_NAME, KeyedStyle)
    richtext.Text.from_latex = classmethod(_from_latex)
