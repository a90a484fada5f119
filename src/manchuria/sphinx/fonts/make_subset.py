"""Subset Liberation Sans 2.1.5 (Debian fonts-liberation2) for the book's charts, renamed as the OFL requires."""

import sys

from fontTools import subset
from fontTools.ttLib import TTFont

SRC = sys.argv[1] + "/"  # the folder holding LiberationSans-{Regular,Bold}.ttf
OUT = ""  # run in this folder; then move the .woff2 files to ../../static/fonts/
UNICODES = "U+0020-007E,U+00A0-017F,U+0218-021B,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0300-0304,U+0308,U+030C,U+2010-2027,U+2030-203A,U+2044,U+20AC,U+2116,U+2122,U+2190-2193,U+2212,U+2248,U+2260,U+2264-2265"
FAMILY = "Manchuria Chart Sans"
for style, weight in (("Regular", "Regular"), ("Bold", "Bold")):
    for flavor in (None, "woff2"):
        font = TTFont(SRC + f"LiberationSans-{style}.ttf")
        opts = subset.Options()
        opts.flavor = flavor
        opts.layout_features = ["kern", "liga"]
        opts.name_IDs = ["*"]
        opts.notdef_outline = True
        opts.hinting = False
        opts.desubroutinize = True
        s = subset.Subsetter(opts)
        s.populate(unicodes=subset.parse_unicodes(UNICODES))
        s.subset(font)
        name = font["name"]
        for rec in list(name.names):
            if rec.nameID in (1, 16):
                rec.string = FAMILY
            elif rec.nameID in (2, 17):
                rec.string = weight
            elif rec.nameID == 4:
                rec.string = f"{FAMILY} {weight}" if weight != "Regular" else FAMILY
            elif rec.nameID == 6:
                rec.string = f"ManchuriaChartSans-{weight}"
            elif rec.nameID == 3:
                rec.string = f"Manchuria Chart Sans {weight}; subset of Liberation Sans 2.1.5"
        font.flavor = flavor
        ext = "woff2" if flavor else "ttf"
        font.save(OUT + f"ManchuriaChartSans-{weight}.{ext}")
