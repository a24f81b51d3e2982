"""A 12-month line drawn on the server as inline SVG (no script, no library): the rate of
each month as a point, a gap where a month has no rate, the target as a dashed line. The
figures are in the <title> of each point, so a screen reader and a hover both give them."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

W, H, PAD = 240, 60, 6


def _y(rate: Decimal) -> float:
    return round(PAD + (H - 2 * PAD) * (1 - float(rate)), 1)


def trend_svg(points: list[tuple[str, Decimal | None]], *, target=None, label: str = "") -> str:
    n = len(points)
    step = (W - 2 * PAD) / max(n - 1, 1)
    xs = [round(PAD + i * step, 1) for i in range(n)]
    parts = [
        f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" '
        f'width="{W}" height="{H}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        f'<rect x="0" y="0" width="{W}" height="{H}" fill="none" stroke="#d0d7de"/>',
    ]
    if target is not None:
        y = _y(target)
        parts.append(
            f'<line class="target" x1="{PAD}" x2="{W - PAD}" y1="{y}" y2="{y}" '
            'stroke="#8250df" stroke-dasharray="4 3"/>'
        )
    segment: list[str] = []
    segments = []
    for x, (_label, rate) in zip(xs, points, strict=True):
        if rate is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x},{_y(rate)}")
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(
            f'<polyline points="{" ".join(seg)}" fill="none" stroke="#0969da" stroke-width="2"/>'
        )
    for x, (month, rate) in zip(xs, points, strict=True):
        if rate is None:
            continue
        value = f"{(rate * 100).quantize(Decimal('0.01'))}%"
        parts.append(
            f'<circle cx="{x}" cy="{_y(rate)}" r="2.5" fill="#0969da">'
            f"<title>{escape(month)}: {value}</title></circle>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped
