"""The shipped basemap: real outlines, inside Northeast Asia, small enough to ship in every map."""

from __future__ import annotations

from manchuria import basemap


def test_clip_keeps_a_ring_inside_the_box_unchanged():
    square = [(120.0, 40.0), (121.0, 40.0), (121.0, 41.0), (120.0, 41.0), (120.0, 40.0)]
    assert basemap.clip_ring(square) == square


def test_clip_cuts_a_ring_at_the_box_edge():
    wide = [(100.0, 40.0), (130.0, 40.0), (130.0, 41.0), (100.0, 41.0), (100.0, 40.0)]
    clipped = basemap.clip_ring(wide)
    assert min(x for x, _ in clipped) == basemap.BOUNDS[0]
    assert clipped[0] == clipped[-1]


def test_clip_drops_a_ring_wholly_outside():
    far = [(10.0, 10.0), (11.0, 10.0), (11.0, 11.0), (10.0, 10.0)]
    assert basemap.clip_ring(far) == []


def test_decode_arcs_undoes_delta_quantisation():
    topology = {"transform": {"scale": [0.5, 2.0], "translate": [100.0, 30.0]}, "arcs": [[[2, 1], [2, 0], [0, 1]]]}
    assert basemap.decode_arcs(topology) == [[(101.0, 32.0), (102.0, 32.0), (102.0, 34.0)]]


def test_ring_points_follows_reversed_arcs():
    arcs = [[(0.0, 0.0), (1.0, 0.0)], [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0)]]
    assert basemap.ring_points([0, ~1], arcs) == [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]


def test_shipped_basemap_covers_the_region_and_stays_small():
    collection = basemap.load_basemap()
    names = {feature["properties"]["name"] for feature in collection["features"]}
    assert {"China", "Mongolia", "Russia", "North Korea", "South Korea", "Japan"} <= names
    west, south, east, north = basemap.BOUNDS
    for feature in collection["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert ring[0] == ring[-1]
                assert all(west <= x <= east and south <= y <= north for x, y in ring)
    assert basemap.BASEMAP.stat().st_size < 150_000
