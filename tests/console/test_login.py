"""Who gets in: the console is off without a password, needs a session, and guards changes."""

from pathlib import Path

import pytest
from fakes.console import PASSWORD, console_client, login

from notifier.console.auth import COOKIE


@pytest.mark.parametrize("path", ["/console", "/console/", "/console/login", "/console/events"])
def test_every_console_path_is_404_without_a_password(tmp_path: Path, path: str) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    with console_client(tmp_path, url, console_password=None) as (client, _):
        assert client.get(path).status_code == 404
        assert client.post("/console/login", data={"password": ""}).status_code == 404


def test_pages_redirect_to_the_login_form_without_a_session(tmp_path: Path) -> None:
    with console_client(tmp_path, f"sqlite:///{tmp_path / 's.db'}") as (client, _):
        answer = client.get("/console/events")
        form = client.get("/console/login")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login"
    assert form.status_code == 200
    assert 'name="password"' in form.text
    assert 'action="/console/login"' in form.text


def test_the_right_password_sets_a_locked_down_session_cookie(tmp_path: Path) -> None:
    with console_client(tmp_path, f"sqlite:///{tmp_path / 's.db'}") as (client, _):
        answer = client.post("/console/login", data={"password": PASSWORD})
        overview = client.get("/console/")

    cookie = answer.headers["set-cookie"]
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/"
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # PUBLIC_URL is not https here
    assert overview.status_code == 200


def test_the_cookie_is_secure_when_the_public_url_is_https(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    with console_client(tmp_path, url, public_url="https://alerts.example.com") as (client, _):
        answer = client.post("/console/login", data={"password": PASSWORD})

    assert "Secure" in answer.headers["set-cookie"]


def test_a_wrong_password_is_refused_and_sets_no_cookie(tmp_path: Path) -> None:
    with console_client(tmp_path, f"sqlite:///{tmp_path / 's.db'}") as (client, _):
        answer = client.post("/console/login", data={"password": "guess"})

    assert answer.status_code == 401
    assert "Wrong password" in answer.text
    assert "set-cookie" not in answer.headers


def test_repeated_failures_are_refused_even_with_the_right_password(tmp_path: Path) -> None:
    with console_client(tmp_path, f"sqlite:///{tmp_path / 's.db'}") as (client, _):
        for _ in range(5):
            client.post("/console/login", data={"password": "guess"})
        answer = client.post("/console/login", data={"password": PASSWORD})

    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0
    assert "set-cookie" not in answer.headers


def test_a_forged_or_tampered_cookie_is_no_session(tmp_path: Path) -> None:
    with console_client(tmp_path, f"sqlite:///{tmp_path / 's.db'}") as (client, _):
        login(client)
        stamp, session, signature = client.cookies[COOKIE].split(".")
        client.cookies.clear()
        client.cookies.set(COOKIE, f"{stamp}.{session}.{signature}")
        genuine = client.get("/console/")
        client.cookies.clear()
        client.cookies.set(COOKIE, f"{stamp}.{session}x.{signature}")
        tampered = client.get("/console/")

    assert genuine.status_code == 200
    assert tampered.status_code == 303


def test_a_post_without_the_csrf_token_is_refused(tmp_path: Path) -> None:
    with console_client(tmp_path, f"sqlite:///{tmp_path / 's.db'}") as (client, _):
        login(client)
        missing = client.post("/console/logout")
        wrong = client.post("/console/logout", data={"csrf": "not-it"})
        still_in = client.get("/console/")

    assert missing.status_code == 403
    assert "CSRF" in missing.text
    assert wrong.status_code == 403
    assert still_in.status_code == 200


def test_logout_ends_the_session(tmp_path: Path) -> None:
    with console_client(tmp_path, f"sqlite:///{tmp_path / 's.db'}") as (client, _):
        csrf = login(client)
        answer = client.post("/console/logout", data={"csrf": csrf})
        after = client.get("/console/")

    assert answer.status_code == 303
    assert after.status_code == 303


def test_pages_forbid_inline_scripts_and_framing(tmp_path: Path) -> None:
    with console_client(tmp_path, f"sqlite:///{tmp_path / 's.db'}") as (client, _):
        answer = client.get("/console/login")

    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"


def test_the_stylesheet_and_script_are_served_from_the_package(tmp_path: Path) -> None:
    with console_client(tmp_path, f"sqlite:///{tmp_path / 's.db'}") as (client, _):
        css = client.get("/console/static/console.css")
        js = client.get("/console/static/console.js")

    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert js.status_code == 200
