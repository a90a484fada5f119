"""A pybtex style whose bibliography labels are the entries' keys.

The data files cite sources by key (``frus1946v09d264``), so the Bibliography
shows each key beside its entry, in key order, to be looked up; in the text,
citations stay author–year. Titles keep their capitals: BibTeX's sentence case
would print "the soviet union (kennan)".
"""

from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import field, sentence

STYLE_NAME = "keyed"


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

    def format_title(self, e, which_field, as_sentence=True):
        title = field(which_field)
        return sentence[title] if as_sentence else title


def register() -> None:
    register_plugin("pybtex.style.formatting", STYLE_NAME, KeyedStyle)
