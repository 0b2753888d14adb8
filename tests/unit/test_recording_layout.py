"""Tiles of the recording's canvas stay inside it, even-aligned, and never overlap."""

import itertools

import pytest

from conference.recordings.layout import Rect, fit, grid, stage


def _overlap(a: Rect, b: Rect) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


@pytest.mark.parametrize("arrange", [grid, stage])
@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 9, 12])
@pytest.mark.parametrize(("width", "height"), [(1280, 720), (640, 360)])
def test_tiles_fit_the_canvas_and_do_not_overlap(arrange, count, width, height):
    rects = arrange(count, width, height)
    assert len(rects) == (min(count, 7) if arrange is stage and count > 1 else count)
    for rect in rects:
        assert rect.x % 2 == rect.y % 2 == rect.width % 2 == rect.height % 2 == 0
        assert 0 <= rect.x and rect.x + rect.width <= width and 0 <= rect.y and rect.y + rect.height <= height
        placed = fit(320, 240, rect)
        assert placed.x >= rect.x and placed.x + placed.width <= rect.x + rect.width
        assert placed.y >= rect.y and placed.y + placed.height <= rect.y + rect.height
    assert not any(_overlap(a, b) for a, b in itertools.combinations(rects, 2))


def test_two_people_side_by_side_and_the_stage_is_the_largest():
    left, right = grid(2, 1280, 720)
    assert left.x < right.x and left.y == right.y
    first, *strip = stage(3, 1280, 720)
    assert all(first.width * first.height > other.width * other.height for other in strip)
