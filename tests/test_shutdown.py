"""The stages of a stop after SIGTERM fit the budget, well before the platform's SIGKILL."""

from notifier.delivery.loop import JOB_TIMEOUT
from notifier.ingest.writer import FLUSH_SECONDS
from notifier.settings import Settings
from notifier.shutdown import BUDGET_SECONDS, DELIVERIES_SECONDS, REQUESTS_SECONDS

PLATFORM_KILL_SECONDS = 30  # Heroku, Render, Kubernetes' default grace period


def test_the_stages_of_a_stop_fit_the_budget_and_the_budget_the_platforms_kill() -> None:
    assert REQUESTS_SECONDS + DELIVERIES_SECONDS + FLUSH_SECONDS < BUDGET_SECONDS
    assert BUDGET_SECONDS <= PLATFORM_KILL_SECONDS - 10


def test_a_slack_call_hanging_at_the_stop_is_handed_back_not_timed_out() -> None:
    assert DELIVERIES_SECONDS < Settings().slack_timeout < JOB_TIMEOUT
