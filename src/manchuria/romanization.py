"""The book's one romanization rule, as checks a test can run.

The rule itself is prose in the front matter (``book/index.md``, "Names and
scripts"); ``data/names.csv`` holds every form of each name. This module gives
the rule's vocabularies one home:

- Chinese characters in running text are simplified; ``names.csv`` keeps the
  traditional form beside them, so the characters only the traditional form
  uses must not appear outside quotations (``traditional_only``).
- Japanese period names are written as the period wrote them: 満洲, not the
  postwar 州 (``POSTWAR_JAPANESE``), with long vowels marked (Botankō).
- Each Russian name has one Latin spelling, the usual English one in
  ``names.csv``; the Library of Congress and BGN/PCGN spellings of the same
  Cyrillic word (Vyshinskii, Andrey, Izvestiia) must not appear
  (``russian_variants``).
"""

from __future__ import annotations

import re

# Library of Congress (without diacritics) and BGN/PCGN transliteration, letter by letter.
_COMMON = dict(zip("абвгдзклмнопрстуфы", "abvgdzklmnoprstufy"))
_LC = {
    **_COMMON,
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "и": "i",
    "й": "i",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
}
_BGN = {**_LC, "й": "y", "ю": "yu", "я": "ya"}
_VOWELS = set("аеёиоуыэюяъь")
# Written by Japanese since 1946 with 州 for the period's 洲 (満州 for 満洲).
POSTWAR_JAPANESE = {"満州": "満洲"}
# A Japanese reading written with "ou" where a long vowel is meant (Botankou for Botankō).
UNMARKED_LONG_VOWEL = re.compile(r"\b[A-Z][a-z]*ou\b")


def _transliterate(word: str, table: dict[str, str], *, bgn: bool) -> str:
    letters = []
    for index, letter in enumerate(word.lower()):
        if bgn and letter == "е" and (index == 0 or word.lower()[index - 1] in _VOWELS):
            letters.append("ye")
        else:
            letters.append(table.get(letter, letter))
    latin = "".join(letters)
    return latin[:1].upper() + latin[1:]


def spellings(cyrillic_word: str) -> set[str]:
    """A Russian word's Library of Congress and BGN/PCGN spellings (ий as -ii and -iy)."""
    return {_transliterate(cyrillic_word, _LC, bgn=False), _transliterate(cyrillic_word, _BGN, bgn=True)}


def russian_variants(cyrillic: str, chosen: str) -> set[str]:
    """Spellings of a Russian name the book does not use: each Cyrillic word's systematic
    spellings that differ from the book's own word beginning with the same two letters."""
    chosen_words = re.findall(r"[A-Za-z'-]+", chosen)
    variants = set()
    for word in re.findall(r"[А-Яа-яЁё]+", cyrillic):
        for spelling in spellings(word):
            if any(own != spelling and own[:2].lower() == spelling[:2].lower() for own in chosen_words):
                variants.add(spelling)
    return variants - set(chosen_words)


def traditional_only(simplified: str, traditional: str) -> set[str]:
    """The characters a name's traditional form uses where its simplified form differs."""
    if len(simplified) != len(traditional):
        raise ValueError(f"{simplified!r} and {traditional!r}: expected the same number of characters")
    return {old for new, old in zip(simplified, traditional) if new != old}


QUOTED = re.compile(r"“[^”]*”|\"[^\"\n]*\"|「[^」]*」|`[^`\n]*`|\]\([^)]*\)")


FENCE = re.compile(r"\s*(`{3,}|~{3,})\s*(\S*)")
# Fenced blocks whose content is prose the rule applies to; code cells and plain code fences are not.
CODE_DIRECTIVES = ("{code-cell}", "{code}", "{code-block}", "{literalinclude}")


def running_text(markdown: str) -> str:
    """A MyST page without what the rule leaves alone: code cells and code fences, block
    quotes, quotations, inline code and link addresses. Directives' prose (glossary, notes,
    exercises) stays."""
    kept, open_fences = [], []  # (fence, is_code) for each fence opened and not yet closed
    for line in markdown.splitlines():
        fence = FENCE.match(line)
        if fence:
            marker, info = fence.groups()
            if open_fences and marker == open_fences[-1][0] and not info:
                open_fences.pop()
            else:
                open_fences.append((marker, not info.startswith("{") or info.startswith(CODE_DIRECTIVES)))
            continue
        if any(is_code for _, is_code in open_fences) or line.lstrip().startswith(">"):
            continue
        kept.append(QUOTED.sub(" ", line))
    return "\n".join(kept)
