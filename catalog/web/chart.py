"""Geometry of the server-rendered SVG charts: horizontal bars per kecamatan, a line per year."""

from dataclasses import dataclass

from catalog.web.i18n import number
from catalog.web.preview import Chart

WIDTH = 640
LABEL_WIDTH = 170
BAR_HEIGHT = 26
GAP = 8
LINE_HEIGHT = 260
MARGIN = 40


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    y: float
    width: float


@dataclass(frozen=True)
class Point:
    label: str
    value: str
    x: float
    y: float


@dataclass(frozen=True)
class Drawing:
    kind: str
    width: int
    height: int
    bars: list[Bar]
    points: list[Point]
    polyline: str


def draw(chart: Chart) -> Drawing:
    top = max((v for _, v in chart.points), default=0.0) or 1.0
    if chart.kind == "bar":
        room = WIDTH - LABEL_WIDTH - 90  # leaves space for the value written after the bar
        bars = [
            Bar(label, number(value), i * (BAR_HEIGHT + GAP), max(1.0, room * value / top))
            for i, (label, value) in enumerate(chart.points)
        ]
        return Drawing("bar", WIDTH, len(bars) * (BAR_HEIGHT + GAP), bars, [], "")
    low = min(v for _, v in chart.points)
    span = (top - low) or 1.0
    step = (WIDTH - 2 * MARGIN) / max(1, len(chart.points) - 1)
    points = [
        Point(label, number(value), MARGIN + i * step, MARGIN + (LINE_HEIGHT - 2 * MARGIN) * (1 - (value - low) / span))
        for i, (label, value) in enumerate(chart.points)
    ]
    polyline = " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points)
    return Drawing("line", WIDTH, LINE_HEIGHT, [], points, polyline)
