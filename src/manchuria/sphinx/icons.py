"""Font Awesome with only the icons the book shows.

pydata-sphinx-theme draws its icons with Font Awesome 6 web fonts: every page
downloaded fa-solid-900.woff2 (156 kB) and fa-brands-400.woff2 (118 kB) for
about twenty glyphs, and its stylesheet carries the classes of all 1,881 icons
(19 kB of its 65 kB compressed). ``write_icon_files`` writes, under the theme's
own file names, the three fonts cut down to ``ICONS``; ``prune_stylesheet`` drops
the other icon classes (``themecss`` writes the stylesheet). A folder later in
``html_static_path`` than the theme's static files replaces them. It is done once
per theme, fonttools and icon list.

``ICONS`` is the one list of icons: a test fails when a built page, a script or
a stylesheet asks for one that is not in it.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

# Font Awesome name -> code point. The names are the theme CSS's own class names.
ICONS: dict[str, int] = {
    # <i class="fa-..."> in the header, sidebars and footer of built pages
    "angle-left": 0xF104,
    "angle-right": 0xF105,
    "arrow-up": 0xF062,
    "bars": 0xF0C9,
    "circle-half-stroke": 0xF042,
    "code": 0xF121,
    "download": 0xF019,
    "expand": 0xF065,
    "file": 0xF15B,
    "file-pdf": 0xF1C1,
    "github": 0xF09B,  # brands
    "list": 0xF03A,
    "magnifying-glass": 0xF002,
    "moon": 0xF186,
    "outdent": 0xF03B,
    "rocket": 0xF135,
    "sun": 0xF185,
    # added by pydata-sphinx-theme.js: the close button of its announcement and version banners
    "xmark": 0xF00D,
    # drawn by stylesheets with content: "\f...", no class: admonition titles (--pst-icon-*),
    # sphinx-exercise's pencil, the secondary sidebar's angle, external and download links
    "circle-check": 0xF058,
    "circle-info": 0xF05A,
    "triangle-exclamation": 0xF071,
    "circle-exclamation": 0xF06A,
    "circle-xmark": 0xF057,
    "lightbulb": 0xF0EB,
    "up-right-from-square": 0xF35D,
    "magnifying-glass-minus": 0xF010,
    "gitlab": 0xF296,  # brands
    "share": 0xF064,
    "bell": 0xF0F3,
    "pencil": 0xF303,
    "angle-down": 0xF107,
}

THEME = "pydata_sphinx_theme"
THEME_STATIC = Path("theme", "pydata_sphinx_theme", "static")
WEBFONTS = Path("vendor", "fontawesome", "webfonts")
FONTS = ("fa-solid-900", "fa-regular-400", "fa-brands-400")
FONT_SUFFIXES = (".woff2", ".ttf")  # the stylesheet's src: woff2 first, TrueType for old browsers
STYLESHEET = Path("styles", "pydata-sphinx-theme.css")
STAMP = Path("manchuria", "icons.version")
# One icon class rule of Font Awesome's table, e.g. .fa-ils:before,.fa-shekel:before{content:"\f20b"}
ICON_RULE = re.compile(r'(?<=\})((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"[^"]*"\}')
ICON_CLASS = re.compile(r"\.fa-([a-z0-9-]+):before")


def theme_static() -> Path:
    """The theme's installed static folder, found without importing the theme."""
    spec = find_spec(THEME)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{THEME} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / THEME_STATIC


def codepoints() -> set[int]:
    return set(ICONS.values())


def subset_font(source: Path, target: Path, wanted: set[int]) -> None:
    """Write ``source`` with only the glyphs of ``wanted`` it has; the format follows the suffix."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    options = subset.Options()
    options.name_IDs = ["*"]  # keeps the SIL OFL notice and the font's names
    options.name_languages = ["*"]
    options.flavor = "woff2" if target.suffix == ".woff2" else None
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted & set(font.getBestCmap())))
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = options.flavor
    font.save(target)


def prune_stylesheet(css: str, keep: set[str]) -> str:
    """The theme's stylesheet without the icon class rules none of whose names is in ``keep``.

    Other rules, the @font-face rules and Font Awesome's utility classes stay as
    they are; the source map comment goes, since the map describes the whole file.
    """

    def rule(match: re.Match[str]) -> str:
        return match.group(0) if keep & set(ICON_CLASS.findall(match.group(1))) else ""

    pruned = ICON_RULE.sub(rule, css)
    return re.sub(r"\n?/\*# sourceMappingURL=[^*]*\*/\s*$", "\n", pruned)


def _stamp_text() -> str:
    icons = ",".join(f"{name}={point:X}" for name, point in sorted(ICONS.items()))
    return f"{THEME} {version('pydata-sphinx-theme')} fonttools {version('fonttools')}\n{icons}\n"


def outputs(directory: Path) -> list[Path]:
    return [directory / WEBFONTS / f"{name}{suffix}" for name in FONTS for suffix in FONT_SUFFIXES]


def write_icon_files(directory: Path) -> Path:
    """Write the cut-down fonts under ``directory`` unless already there; return it.

    Keyed on the theme and fonttools versions and ``ICONS``, so a cached build
    does not import fonttools.
    """
    stamp = directory / STAMP
    wanted = _stamp_text()
    if stamp.exists() and stamp.read_text() == wanted and all(path.exists() for path in outputs(directory)):
        return directory
    static = theme_static()
    for name in FONTS:
        for suffix in FONT_SUFFIXES:
            subset_font(static / WEBFONTS / f"{name}{suffix}", directory / WEBFONTS / f"{name}{suffix}", codepoints())
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(wanted)
    return directory
