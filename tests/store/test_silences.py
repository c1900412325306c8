"""Silences in the store: added, listed while in force, and expired early."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from notifier.store.silences import active_silences, add_silence, all_silences, expire_silence

NOW = datetime(2024, 6, 4, 12, 0, tzinfo=UTC)


def test_silences_are_added_listed_and_expired(engine: Engine) -> None:
    hour = timedelta(hours=1)
    with engine.begin() as conn:
        active = add_silence(conn, {"error_code": "11200"}, NOW - hour, NOW + hour, "a")
        over = add_silence(conn, {"error_code": "30007"}, NOW - 2 * hour, NOW, "b")

    with engine.begin() as conn:
        assert [s.id for s in active_silences(conn, NOW)] == [active]
        assert [s.id for s in all_silences(conn)] == [active, over]
        assert active_silences(conn, NOW)[0].matchers == {"error_code": "11200"}
        assert expire_silence(conn, active, NOW) is True
        assert expire_silence(conn, active, NOW) is False
        assert expire_silence(conn, over, NOW) is False

    with engine.connect() as conn:
        assert active_silences(conn, NOW) == []
        assert [s.ends_at for s in all_silences(conn)] == [NOW, NOW]
