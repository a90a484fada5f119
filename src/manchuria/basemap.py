"""The book's basemap: Natural Earth country outlines, clipped to Northeast Asia.

The shipped file ``data/basemap/northeast-asia.geojson`` is made once, by hand,
from the npm package ``world-atlas@2.0.2`` (Natural Earth 1:50m, public domain,
as TopoJSON); nothing is downloaded at build or run time. To remake it::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m manchuria.basemap package/countries-50m.json data/basemap/northeast-asia.geojson

Borders are today's: the maps say so where it matters (in 1945 Manchukuo,
Korea and southern Sakhalin were under Japanese rule).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .book import REPO_ROOT

BASEMAP = REPO_ROOT / "data" / "basemap" / "northeast-asia.geojson"
# Longitude west, latitude south, longitude east, latitude north.
BOUNDS = (110.0, 33.0, 146.0, 56.0)
ATTRIBUTION = "Basemap: Natural Earth (public domain), modern borders"

Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Absolute coordinates of every arc of a quantised TopoJSON topology."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[Point]]) -> list[Point]:
    """Join a ring's arcs (a negative index ~i means arc i reversed) into one point list."""
    points: list[Point] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def clip_ring(points: list[Point], bounds: tuple[float, float, float, float] = BOUNDS) -> list[Point]:
    """Sutherland–Hodgman clip of a closed ring to a longitude/latitude box."""
    west, south, east, north = bounds
    edges = (
        (lambda p: p[0] >= west, lambda a, b: _cross_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _cross_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _cross_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _cross_y(a, b, north)),
    )
    output = points[:-1] if points and points[0] == points[-1] else list(points)
    for inside, intersect in edges:
        source, output = output, []
        for i, current in enumerate(source):
            previous = source[i - 1]
            if inside(current):
                if not inside(previous):
                    output.append(intersect(previous, current))
                output.append(current)
            elif inside(previous):
                output.append(intersect(previous, current))
        if not output:
            return []
    return [*output, output[0]] if len(output) >= 3 else []


def _cross_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cross_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def clipped_countries(
    topology: dict[str, Any], bounds: tuple[float, float, float, float] = BOUNDS, digits: int = 3
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of every country with land inside ``bounds``."""
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("type") == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry.get("type") == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        kept = []
        for polygon in polygons:
            rings = [clip_ring(ring_points(ring, arcs), bounds) for ring in polygon]
            if rings and rings[0]:
                kept.append([[[round(x, digits), round(y, digits)] for x, y in ring] for ring in rings if ring])
        if kept:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": geometry["properties"]["name"]},
                    # Vega draws a polygon's outer ring clockwise; d3-geo winding is kept as given.
                    "geometry": {"type": "MultiPolygon", "coordinates": kept},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def load_basemap(path: Path = BASEMAP) -> dict[str, Any]:
    """The shipped basemap as GeoJSON."""
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str]) -> None:
    source, target = map(Path, argv)
    collection = clipped_countries(json.loads(source.read_text(encoding="utf-8")))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {len(collection['features'])} countries to {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
