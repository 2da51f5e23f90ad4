"""Progress of long commands: a tqdm bar on a terminal, a line every few seconds otherwise."""

import io

from common.progress import ConsoleProgress


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_off_a_terminal_a_line_at_most_every_interval():
    stream, clock = io.StringIO(), FakeClock()
    progress = ConsoleProgress(name="job", stream=stream, interval=5, terminal=False, clock=clock)

    progress.stage("tickets", total=400)
    progress.advance(100)  # quick work: quiet
    clock.now += 5
    progress.advance(100)
    clock.now += 2
    progress.advance(100)  # too soon after the previous line
    clock.now += 4
    progress.stage("metrics")
    clock.now += 6
    progress.advance(7)
    progress.close()

    assert stream.getvalue().splitlines() == [
        "job: tickets 200/400 (50%), 5s elapsed",
        "job: metrics, 11s elapsed",
        "job: metrics 7, 17s elapsed",
    ]


def test_on_a_terminal_a_bar_per_stage():
    stream = io.StringIO()
    progress = ConsoleProgress(name="job", stream=stream, interval=0, terminal=True)

    progress.stage("tickets", total=40)
    for _ in range(4):
        progress.advance(10)
    progress.close()

    drawn = stream.getvalue()
    assert "\r" in drawn and "job: tickets" in drawn and "40/40" in drawn
