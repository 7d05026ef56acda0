"""Routing's pace under a burst (kick.pace_routing): a lone case is routed at once; after a pass
that routed a burst, the next pass waits out the cycle so what comes meanwhile is one batch."""

import pytest

from grievances import kick


class Clock:
    """monotonic() and sleep() of a clock that only moves when slept on or told to."""

    def __init__(self):
        self.now, self.slept = 100.0, []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(kick, "time", clock)
    monkeypatch.setattr(kick, "_eager", lambda: False)  # as in a real worker
    monkeypatch.setattr(kick, "_last_pass", {"started": 0.0, "routed": 0})
    return clock


def test_after_a_lone_case_the_next_pass_starts_at_once(clock):
    kick.pace_routing()
    kick.routing_pass_done(1)
    clock.now += 0.001
    kick.pace_routing()
    assert clock.slept == []


def test_after_a_burst_the_next_pass_waits_out_the_cycle(clock):
    kick.pace_routing()
    clock.now += 0.012  # the pass took 12 ms
    kick.routing_pass_done(kick.BURST_CASES)
    kick.pace_routing()
    assert clock.slept == [pytest.approx(kick.BURST_CYCLE - 0.012)]
    assert clock.now == pytest.approx(100.0 + kick.BURST_CYCLE)  # one cycle after the last start
    # A pass slower than the cycle is followed at once.
    clock.now += kick.BURST_CYCLE * 2
    kick.routing_pass_done(kick.BURST_CASES * 10)
    kick.pace_routing()
    assert len(clock.slept) == 1


def test_tasks_run_inline_in_a_request_never_wait(clock, monkeypatch):
    monkeypatch.setattr(kick, "_eager", lambda: True)  # the embedded setup
    kick.routing_pass_done(kick.BURST_CASES * 10)
    kick.pace_routing()
    assert clock.slept == []


@pytest.fixture
def waker_here(monkeypatch):
    """This process as one whose waker runs (without its thread), wake-ups recorded."""
    import os
    import threading

    wakes = []
    monkeypatch.setattr(kick, "_waker_pid", os.getpid())
    monkeypatch.setattr(kick, "_committed", threading.Event())
    monkeypatch.setattr(kick, "_wake_lock", threading.Lock())
    monkeypatch.setattr(kick, "wake_routing", lambda: wakes.append(1))
    return wakes


def test_a_process_that_exits_wakes_routing_for_its_last_cases(waker_here):
    kick._committed.set()  # a case committed; the waker was resting its window
    kick._wake_before_exit()
    assert waker_here == [1]
    kick._wake_before_exit()  # nothing committed since: no second wake-up
    assert waker_here == [1]


def test_a_process_that_exits_with_nothing_committed_wakes_nobody(waker_here):
    kick._wake_before_exit()
    assert waker_here == []
