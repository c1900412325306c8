import json
from pathlib import Path

import pytest

from notifier.errors import UserError
from notifier.settings import Settings
from notifier.twilio.catalog import Catalog, load_bundled, load_initial


def test_bundled_catalog_names_codes_offline() -> None:
    catalog = Catalog(load_bundled())

    entry = catalog.lookup("11200")

    assert entry is not None
    assert entry.message == "HTTP retrieval failure"
    assert len(load_bundled()) > 1900


def test_configured_file_replaces_the_bundled_catalog(tmp_path: Path) -> None:
    path = tmp_path / "codes.json"
    path.write_text(json.dumps([{"code": 99999, "message": "Made up", "product": "Test"}]))

    codes = load_initial(path)

    assert set(codes) == {"99999"}


def test_unreadable_configured_file_is_the_users_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"TWILIO_ERROR_CODES_FILE '.*missing.json' cannot"):
        load_initial(tmp_path / "missing.json")


def test_refresh_is_off_unless_asked() -> None:
    assert not Settings.from_env({}).error_codes_refresh
    assert Settings.from_env({"TWILIO_ERROR_CODES_REFRESH": "1"}).error_codes_refresh
