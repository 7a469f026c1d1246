"""A leased response's articles wait for the end of its output, then go to Redis together with
the end of its lease (`newscrawl.cluster.leases.LeaseTracker`)."""

from __future__ import annotations

from newscrawl.cluster.leases import LeaseTracker


class Item(dict):
    """An item (compared by identity, as the tracker sees them)."""

    __hash__ = object.__hash__


def _tracker() -> tuple[LeaseTracker, list[tuple[str, list[tuple[str | None, str]]]]]:
    settled: list[tuple[str, list[tuple[str | None, str]]]] = []
    return LeaseTracker(lambda lease, articles: settled.append((lease, articles))), settled


def test_articles_wait_for_the_end_of_their_responses_output() -> None:
    tracker, settled = _tracker()
    first, second = Item(), Item()
    tracker.item(first, "L")
    tracker.item(second, "L")
    assert tracker.deliver(first, "gazette", '{"n": 1}')
    assert settled == []
    tracker.output_ended("L")
    assert settled == []
    assert tracker.deliver(second, "gazette", '{"n": 2}')
    assert settled == [("L", [("gazette", '{"n": 1}'), ("gazette", '{"n": 2}')])]


def test_a_response_with_no_article_ends_its_lease_alone() -> None:
    tracker, settled = _tracker()
    tracker.output_ended("L")
    assert settled == [("L", [])]


def test_a_dropped_item_lets_the_lease_end_with_the_others() -> None:
    tracker, settled = _tracker()
    kept, dropped = Item(), Item()
    tracker.item(kept, "L")
    tracker.item(dropped, "L")
    tracker.deliver(kept, "gazette", '{"n": 1}')
    tracker.item_done(dropped)
    tracker.output_ended("L")
    assert settled == [("L", [("gazette", '{"n": 1}')])]


def test_an_item_without_a_lease_is_not_held() -> None:
    tracker, settled = _tracker()
    assert not tracker.deliver(Item(), "gazette", "{}")
    assert settled == []
