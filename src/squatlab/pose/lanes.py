"""Running the pose pass on several cores: the video cut into consecutive parts, one per core.

Each part is decoded and posed on its own thread with its own model (MediaPipe runs the
model outside the GIL), from its start to its end, so a tracking model sees consecutive
frames exactly as in a single pass. The cuts are moved to where the lifter stands
(:func:`settled`), and the caller starts each later part a little early to warm its model
up (``pose.part_warmup_s``). The first part's results stream out as they come; the later
parts' compact per-frame results (landmarks and outline points, a few kB a frame, never
the frames or masks) wait in memory until their turn. Dealing frames in turn to the
models instead (frame 1 to the first, frame 2 to the second, ...) was measured and
dropped: each tracker then sees every other frame, and the estimates moved by up to
0.4 deg RMSE on the rendered fixtures.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

R = TypeVar("R")

# The shortest part worth its own model: a model warms up (person detection, tracking
# and mask smoothing settle) over the first frames of a part.
MIN_PART_S = 4.0


def split(duration_s: float, parts: int, *, min_part_s: float = MIN_PART_S) -> list[tuple[float, float | None]]:
    """``[start, end)`` times (s) of up to ``parts`` equal parts; the last is open-ended.

    >>> split(20.0, 2)
    [(0.0, 10.0), (10.0, None)]
    >>> split(5.0, 2)  # too short to share
    [(0.0, None)]
    """
    n = max(1, min(parts, int(duration_s // min_part_s)))
    edges = [duration_s * k / n for k in range(1, n)]
    return list(zip([0.0, *edges], [*edges, None], strict=True))


def settled(
    parts: list[tuple[float, float | None]], still: list[tuple[float, float]], *, max_shift: float = 0.25
) -> list[tuple[float, float | None]]:
    """``parts`` with each cut moved to where the lifter stands still (into the nearest of the
    ``still`` spans), when one lies within ``max_shift`` of a part's length; a cut with no
    such place stays where it is. A rep is then followed by one model from its start to its
    end, as in a single pass.

    >>> settled([(0.0, 10.0), (10.0, None)], [(2.0, 4.0), (12.0, 13.0)])
    [(0.0, 12.0), (12.0, None)]
    >>> settled([(0.0, 10.0), (10.0, None)], [(9.0, 11.0)])  # already standing
    [(0.0, 10.0), (10.0, None)]
    >>> settled([(0.0, 10.0), (10.0, None)], [])
    [(0.0, 10.0), (10.0, None)]
    """
    if len(parts) < 2:
        return parts
    length = parts[1][0] - parts[0][0]
    cuts: list[float] = []
    for even, _ in parts[1:]:
        low = cuts[-1] if cuts else parts[0][0]
        near = [t for span in still for t in span if low < t and abs(t - even) <= max_shift * length]
        if any(a <= even <= b for a, b in still) or not near:
            cuts.append(float(even))
        else:
            cuts.append(float(min(near, key=lambda t: abs(t - even))))
    return list(zip([parts[0][0], *cuts], [*cuts, None], strict=True))


class _End:
    pass


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def map_parts(
    parts: list[tuple[float, float | None]], work: Callable[[int, float, float | None], Iterable[R]]
) -> Iterator[R]:
    """Everything ``work(k, start, end)`` yields, part after part in order; the parts run at once.

    >>> list(map_parts([(0, 2), (2, None)], lambda k, a, b: [f"{k}:{a}"] * 2))
    ['0:0', '0:0', '1:2', '1:2']
    """
    if len(parts) == 1:
        yield from work(0, *parts[0])
        return
    stop = threading.Event()
    outputs: list[queue.SimpleQueue] = [queue.SimpleQueue() for _ in parts]

    def run(k: int) -> None:
        try:
            for item in work(k, *parts[k]):
                if stop.is_set():
                    break
                outputs[k].put(item)
            outputs[k].put(_End())
        except BaseException as exc:  # handed to the consumer, which raises it
            outputs[k].put(_Failed(exc))

    threads = [threading.Thread(target=run, args=(k,), name=f"pose-part-{k}", daemon=True) for k in range(len(parts))]
    for thread in threads:
        thread.start()
    try:
        for output in outputs:
            while not isinstance(item := output.get(), _End):
                if isinstance(item, _Failed):
                    raise item.error
                yield item
    finally:
        stop.set()
        for thread in threads:
            thread.join()
