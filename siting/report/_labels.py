"""Label placement for the maps: each name beside its point, clear of the other names and markers.

A greedy search in screen units: the labels are placed in order of priority; each tries eight
positions around its point (right, left, the diagonals, above, below), first close to the marker
and then further out, where a leader line joins it to the point. The first position that
overlaps nothing already placed, no marker and stays inside the frame is taken; when none is
free, the one with the least overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: directions tried, in order: right, left, upper right, upper left, lower right, lower left, above, below
DIRECTIONS = ((1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1), (0, 1), (0, -1))


@dataclass(frozen=True)
class Placement:
    """Where a label goes: the centre of its box, its box, and whether a leader line joins it to its point."""

    index: int
    cx: float
    cy: float
    box: tuple[float, float, float, float]
    leader: bool


def _overlap(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _outside(box, frame) -> float:
    """The area of ``box`` outside ``frame``."""
    area = (box[2] - box[0]) * (box[3] - box[1])
    return area - _overlap(box, frame)


def place_labels(xy: np.ndarray, radius: np.ndarray, sizes: dict[int, tuple[float, float]],
                 frame: tuple[float, float, float, float], gap: float = 2.0,
                 rings: tuple[float, ...] = (0.0, 1.5, 3.5, 6.0), fixed=(), centred: bool = False) -> list[Placement]:
    """Place the labels of the points ``sizes`` names (index -> (width, height)), in that order.

    ``xy`` and ``radius``: every point's position and marker radius (every marker is an obstacle,
    labelled or not). ``frame``: (x0, y0, x1, y1) the labels must stay in. Coordinates in any
    screen unit with y up or down alike. ``rings``: distances tried beyond the marker, in label
    heights; beyond the first a leader line is drawn. ``fixed``: boxes (x0, y0, x1, y1) already taken.
    ``centred``: first try the label centred on its point (area names).
    """
    xy = np.asarray(xy, dtype=float)
    radius = np.asarray(radius, dtype=float)
    markers = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(xy, radius, strict=True)]
    placed: list[tuple[float, float, float, float]] = [tuple(b) for b in fixed]
    out = []
    for i, (w, h) in sizes.items():
        px, py = xy[i]
        best = None
        for k, ring in enumerate(rings):
            rho = radius[i] + gap + ring * h
            for ux, uy in ((0, 0), *DIRECTIONS) if centred and k == 0 else DIRECTIONS:
                d = rho * (0.75 if ux and uy else 1.0)
                cx = px + ux * (d + w / 2)
                cy = py + uy * (d + h / 2)
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                cost = sum(_overlap(box, b) for b in placed)
                cost += sum(_overlap(box, m) for m in markers)
                cost += 10.0 * _outside(box, frame)
                cost += 1e-6 * k  # nearer is better among equals
                if best is None or cost < best[0]:
                    best = (cost, cx, cy, box, k > 0)
                if cost < 1e-3:
                    break
            if best[0] < 1e-3:
                break
        _, cx, cy, box, leader = best
        placed.append(box)
        out.append(Placement(i, cx, cy, box, leader))
    return out


def overlaps(boxes) -> list[tuple[int, int]]:
    """Pairs of boxes (x0, y0, x1, y1) that overlap."""
    boxes = list(boxes)
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
            if _overlap(boxes[i], boxes[j]) > 1e-6]
