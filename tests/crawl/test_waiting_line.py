"""The line of requests waiting for a site's slot: only its first looks at the shared table often
(a cluster worker's look is a round trip to Redis), on a fake clock."""

from __future__ import annotations

from twisted.internet import task

from newscrawl.middlewares.siteslots import BEHIND_POLL_SECONDS, WaitingLine

POLL = 0.1


def _line(waiting: int) -> tuple[task.Clock, WaitingLine, list]:
    clock = task.Clock()
    line = WaitingLine(clock, POLL)
    return clock, line, [line.join() for _ in range(waiting)]


def _called(deferreds: list) -> list[int]:
    return [n for n, d in enumerate(deferreds) if d.called]


def test_only_the_first_in_line_looks_after_a_poll() -> None:
    clock, _, waiting = _line(4)
    clock.advance(POLL)
    assert _called(waiting) == [0]


def test_the_next_in_line_looks_a_poll_after_the_first_left() -> None:
    clock, line, waiting = _line(3)
    clock.advance(POLL)
    line.leave(waiting[0])
    clock.advance(POLL)
    assert _called(waiting) == [0, 1]


def test_a_request_behind_the_first_still_looks_by_itself_now_and_then() -> None:
    clock, _, waiting = _line(2)
    clock.advance(BEHIND_POLL_SECONDS - POLL / 2)
    assert _called(waiting) == [0]
    clock.advance(POLL)
    assert _called(waiting) == [0, 1]


def test_a_freed_slot_wakes_the_first_in_line_at_once_for_that_one_slot() -> None:
    _, line, waiting = _line(3)
    line.wake_first(False)
    assert _called(waiting) == [0]
    assert waiting[0].result is False
    assert len(line) == 2


def test_a_look_of_its_own_tells_the_request_more_slots_may_be_free() -> None:
    """It then wakes the next in line if it got a slot: another process may have freed several."""
    clock, _, waiting = _line(1)
    clock.advance(POLL)
    assert waiting[0].result is True


def test_a_request_that_leaves_the_line_leaves_no_timer() -> None:
    clock, line, waiting = _line(2)
    for woken in waiting:
        line.leave(woken)
    assert clock.getDelayedCalls() == []
    assert len(line) == 0


def test_requests_waiting_a_second_look_far_less_than_once_a_poll_each() -> None:
    """Five requests wait while no slot frees: each look that finds none sends the request to
    the back of the line, as `SiteSlotsMiddleware` does. Polling each on its own would make 50
    looks a second; the line makes about one a poll."""
    clock = task.Clock()
    line = WaitingLine(clock, POLL)
    looks = 0

    def rejoin(_: object, woken: object) -> None:
        nonlocal looks
        looks += 1
        line.leave(woken)  # type: ignore[arg-type]
        wait()

    def wait() -> None:
        woken = line.join()
        woken.addCallback(rejoin, woken)

    for _ in range(5):
        wait()
    for _ in range(100):
        clock.advance(POLL / 10)
    assert 8 <= looks <= 12, looks
