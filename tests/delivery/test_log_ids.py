"""What a log line about deliveries names: one delivery fully, a folded storm what it shares."""

from fakes.notices import make_notice

from notifier.delivery.log_ids import log_ids
from notifier.store.outbox import Delivery, DigestMessage


def delivery(number: int, receiver: str = "ops", group: str = "webhooks|11200") -> Delivery:
    return Delivery(number, receiver, None, 1, 1, make_notice(group, receiver))


def test_one_delivery_is_named_by_id_receiver_group_and_route() -> None:
    assert log_ids([delivery(7)]) == {
        "delivery_id": 7,
        "receiver": "ops",
        "group_key": "webhooks|11200",
        "route": "webhooks",
    }


def test_a_folded_storm_names_only_what_its_deliveries_share() -> None:
    storm = [delivery(1, group="webhooks|11200"), delivery(2, group="webhooks|30007")]

    assert log_ids(storm) == {"receiver": "ops", "route": "webhooks"}


def test_a_digest_has_no_group_to_name() -> None:
    digest = Delivery(3, "ops", None, 0, 1, DigestMessage("daily", {"text": "..."}))

    assert log_ids([digest]) == {"delivery_id": 3, "receiver": "ops"}
