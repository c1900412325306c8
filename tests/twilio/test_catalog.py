import json
from pathlib import Path

import pytest

from notifier.errors import UserError
from notifier.settings import Settings
from notifier.twilio.catalog import Catalog, bullets, load_bundled, load_initial


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


@pytest.mark.parametrize(
    ("markdown", "items"),
    [
        ("* one\n* two", ("one", "two")),
        ("*   spaced\n-  dash\n+ plus", ("spaced", "dash", "plus")),
        ("* wraps onto\nthe next line\n* next", ("wraps onto the next line", "next")),
        ("First paragraph.\n\nSecond\nparagraph.", ("First paragraph.", "Second paragraph.")),
        ("* see [docs](https://x.example) **now**", ("see docs (https://x.example) now",)),
        ("", ()),
        (None, ()),
    ],
    ids=["star-bullets", "any-bullet-marker", "continuation-joins-its-item",
         "paragraphs-without-bullets", "links-and-bold-as-plain-text", "empty", "missing"],
)  # fmt: skip
def test_causes_and_solutions_become_one_line_per_item(
    markdown: str | None, items: tuple[str, ...]
) -> None:
    assert bullets(markdown) == items


def test_bundled_catalog_says_what_to_try_for_11200() -> None:
    entry = Catalog(load_bundled()).lookup("11200")
    assert entry is not None
    assert entry.causes[0] == "Web server returned a 4xx or 5xx HTTP response to Twilio"
    assert entry.solutions[0].startswith("Double check that your TwiML URL does not return")
