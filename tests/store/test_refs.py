"""Remembered Slack messages, and stores from before they kept the channel ID (schema 8)."""

from sqlalchemy import Engine, text

from notifier.store.migrations import current_version, migrate
from notifier.store.refs import MessageRef, get_ref, save_ref


def test_a_message_is_remembered_with_its_channel_id(engine: Engine) -> None:
    with engine.begin() as conn:
        save_ref(conn, "ops", "g", 1, MessageRef("1.000100", "C0123ABCD"))
        save_ref(conn, "ops", "g", 1, MessageRef("1.000200", "C0123ABCD"))
        assert get_ref(conn, "ops", "g", 1) == MessageRef("1.000200", "C0123ABCD")
        assert get_ref(conn, "ops", "g", 2) is None


def as_schema_7(engine: Engine) -> None:
    """The store as version 7 left it: no channel IDs, no claim times."""
    with engine.begin() as conn:
        for table, column in (
            ("message_refs", "channel"),
            ("notifications", "claimed_at"),
            ("notifications", "in_doubt_since"),
        ):
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        conn.execute(text("DROP TABLE slack_channels"))
        conn.execute(text("DELETE FROM schema_version WHERE version = 8"))
        conn.execute(
            text(
                "INSERT INTO message_refs (receiver, group_key, cycle, ref) VALUES (:r, :g, 1, :t)"
            ),
            {"r": "ops", "g": "g", "t": "1.000100"},
        )


def test_a_store_from_schema_7_is_upgraded_and_its_old_refs_are_not_edited(
    engine: Engine,
) -> None:
    as_schema_7(engine)
    migrate(engine)
    with engine.begin() as conn:
        assert current_version(conn) == 8
        # Slack refuses an edit naming a channel: the group's next notice posts a new message.
        assert get_ref(conn, "ops", "g", 1) is None
