"""A pybtex style whose bibliography labels are the entries' keys.

The data files cite sources by key (``frus1946v09d264``), so the Bibliography
shows each key beside its entry, in key order, to be looked up; in the text,
citations stay author–year. Titles keep their capitals: BibTeX's sentence case
would print "the soviet union (kennan)".

In the text, works by the same author in the same year are told apart as
1945a, 1945b (``REFERENCE_STYLE_NAME``): sphinxcontrib-bibtex's ``author_year``
would print "Harriman, 1945" three times in one bracket. The letters come from
:func:`.bibfile.years`, which the charts' and explorers' labels use too, for the
``.bib`` files given to :func:`use_labels_of` (the extension passes
``bibtex_bibfiles`` from the Sphinx configuration).

Most fields in ``references.bib`` are plain Unicode, yet pybtex decodes every
one as LaTeX, character by character, on every build: about two seconds for
the book's 378 entries. Text with nothing LaTeX could change skips the decoder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pybtex import richtext
from pybtex.plugin import register_plugin
from pybtex.style import FormattedEntry
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import field, join, node, sentence
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
    BasicAuthorYearTextualReferenceStyle,
)
from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
from sphinxcontrib.bibtex.style.template import join2, post_text, pre_text, reference

from . import bibfile

STYLE_NAME = "keyed"
# A citation's hover text (``bibtex_tooltips_style`` in _config.yml): who, when and what.
TOOLTIP_STYLE_NAME = "keyed_tooltip"
REFERENCE_STYLE_NAME = "author_year_distinct"
# What a citation's hover text adds for a source that speaks for a party (the reason is in the Bibliography).
PARTISAN_TOOLTIP = "Speaks for a party to the events."
# What the bibliography prints before the note of a source that speaks for a party to the events.
PARTISAN_HEADING = "Speaks for a party:"
# Characters and ligatures that LaTeX decoding would change (--, ``, '', ~, braces, commands...).
LATEX_SYNTAX = re.compile(r"[\\{}$~%&#^_`]|--|''")
# Each entry's year as the citations print it (1945a...), and its label (Harriman, 1945a), for the
# .bib files given to use_labels_of.
_years: dict[str, str] = {}
_labels: dict[str, str] = {}


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

    def format_entry(self, label, entry, bib_data=None):
        text = super().format_entry(label, entry, bib_data).text
        partisan = entry.fields.get(bibfile.PARTISAN_FIELD)
        if partisan:
            text = richtext.Text(
                text, " ", richtext.Tag("strong", PARTISAN_HEADING), " ", richtext.Text.from_latex(partisan)
            )
        return FormattedEntry(entry.key, text, label)

    def format_title(self, e, which_field, as_sentence=True):
        title = field(which_field)
        return sentence[title] if as_sentence else title


class TooltipStyle(KeyedStyle):
    """A citation's hover text: "Harriman, 1945a. Title." and whether the source speaks for a party.

    The full entry, with its notes, quotations and address, is one click away in the
    Bibliography; as hover text on every citation it weighed about 130 kB of a page with
    200 citations, and every reader on a phone paid for it.
    """

    def format_entry(self, label, entry, bib_data=None):
        who_and_when = _labels.get(entry.key) or entry.key  # a .bib file not given to use_labels_of: its key
        parts = [who_and_when, ". "]
        if entry.fields.get("title"):
            parts += [richtext.Text.from_latex(entry.fields["title"]), "."]
        if entry.fields.get(bibfile.PARTISAN_FIELD):
            parts += [" ", PARTISAN_TOOLTIP]
        return FormattedEntry(entry.key, richtext.Text(*parts), label)


@node
def distinct_year(children, data):
    """The entry's year with the letter that tells it from the author's other works of that year."""
    assert not children
    entry = data["entry"]
    shown = _years.get(entry.key)
    if shown is None:  # an entry of a .bib file not given to use_labels_of: its plain year
        shown = entry.fields.get("year", bibfile.NO_DATE)
    return richtext.Text(shown)


class _Parenthetical(BasicAuthorYearParentheticalReferenceStyle):
    def inner(self, role_name):
        who = self.person.author_or_editor_or_title(full="s" in role_name)
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text,
            reference[join(sep=self.author_year_sep)[who, distinct_year]],
            post_text,
        ]


class _Textual(BasicAuthorYearTextualReferenceStyle):
    def inner(self, role_name):
        return join(sep=self.text_reference_sep)[
            self.person.author_or_editor_or_title(full="s" in role_name),
            join[
                self.bracket.left,
                join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                    pre_text,
                    reference[distinct_year],
                    post_text,
                ],
                self.bracket.right,
            ],
        ]


class _Year(ExtraYearReferenceStyle):
    def inner(self, role_name):
        return reference[distinct_year]


_DISTINCT = {
    BasicAuthorYearParentheticalReferenceStyle: _Parenthetical,
    BasicAuthorYearTextualReferenceStyle: _Textual,
    ExtraYearReferenceStyle: _Year,
}


class DistinctAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """sphinxcontrib-bibtex's ``author_year``, with 1945a/1945b where works would share a label."""

    def __post_init__(self):
        super().__post_init__()
        self.styles = [
            _DISTINCT[type(style)](**vars(style)) if type(style) in _DISTINCT else style for style in self.styles
        ]
        self.role_style.update((role_name, style) for style in self.styles for role_name in style.role_names())


_decode_latex = richtext.Text.from_latex.__func__


def _from_latex(cls, latex: str) -> richtext.Text:
    """``Text.from_latex`` with a shortcut for text that holds no LaTeX syntax."""
    if LATEX_SYNTAX.search(latex):
        return _decode_latex(cls, latex)
    return cls(latex)


def use_labels_of(bibfiles: Iterable[Path]) -> None:
    """Cite the entries of these ``.bib`` files by their author-year labels (:func:`.bibfile.years`),
    the years with the letters that tell works apart; the build passes ``bibtex_bibfiles``."""
    _years.clear()
    _labels.clear()
    for path in bibfiles:
        _years.update(bibfile.years(Path(path)))
        _labels.update(bibfile.labels(Path(path)))


def register() -> None:
    register_plugin("pybtex.style.formatting", STYLE_NAME, KeyedStyle)
    register_plugin("pybtex.style.formatting", TOOLTIP_STYLE_NAME, TooltipStyle)
    from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin

    register_bibtex_plugin(
        "sphinxcontrib.bibtex.style.referencing", REFERENCE_STYLE_NAME, DistinctAuthorYearReferenceStyle, force=True
    )
    richtext.Text.from_latex = classmethod(_from_latex)
