"""The console in a real browser: headless Chromium (Debian's package) driven by Selenium
through Debian's chromedriver, against a real `notifier serve` with its worker."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.bot import bot_env, serving
from fakes.console import PASSWORD, RULES, store_in
from fakes.wait import wait_until

from notifier.store.engine import make_engine
from notifier.store.migrations import migrate

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are missing: .ci/run installs them")
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install -y ...)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def shoot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"console-{name}.png"))


def test_an_engineer_finds_an_event_replays_it_and_silences_it_with_no_script_run(
    tmp_path: Path, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    migrate(engine)
    store_in(
        engine,
        {"error_code": "11200", "message": "Connection timed out to https://api.example.com"},
        {"error_code": "11205", "message": HOSTILE, "url": HOSTILE},
        {"error_code": "30003", "level": "warning", "message": "Unreachable handset"},
    )
    engine.dispose()
    env = bot_env(tmp_path, url, RULES, CONSOLE_PASSWORD=PASSWORD)
    with serving(env, tmp_path) as bot:
        browser.get(f"{bot.url}/console/")
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.login button").click()
        wait_until(lambda: "Open alert groups" in browser.page_source, "the overview")
        wait_until(lambda: _refreshed_until(browser, "11205"), "the worker's groups")
        shoot(browser, "overview")

        browser.get(f"{bot.url}/console/events")
        browser.find_element(By.NAME, "error_code").send_keys("11205")
        browser.find_element(By.CSS_SELECTOR, "#filters button").click()
        wait_until(lambda: "error_code=11205" in browser.current_url, "the filtered list")
        rows = browser.find_elements(By.CSS_SELECTOR, "table.events tbody tr")
        assert len(rows) == 1
        shoot(browser, "events-filtered")

        rows[0].find_element(By.CSS_SELECTOR, "td a").click()
        wait_until(lambda: "Request as received" in browser.page_source, "the event page")
        body = browser.find_element(By.TAG_NAME, "body").text
        assert HOSTILE in body  # shown as text, not parsed as markup
        assert browser.find_elements(By.CSS_SELECTOR, "main img") == []
        assert browser.execute_script("return window.__xss === undefined") is True
        assert "alerted" in body
        shoot(browser, "event")

        # Replay the Slack message (here the console receiver's) the event caused.
        browser.find_element(By.XPATH, "//button[text()='Replay']").click()
        wait_until(lambda: "queued again, marked replay" in browser.page_source, "the replay")
        wait_until(lambda: _refreshed_until(browser, ">replay<"), "the replayed notification")
        shoot(browser, "notifications")

        browser.get(f"{bot.url}/console/silences")
        browser.find_element(By.NAME, "matchers").send_keys("error_code=11205")
        browser.find_element(By.NAME, "comment").send_keys("vendor outage, on it")
        browser.find_element(By.CSS_SELECTOR, "form.add button").click()
        wait_until(lambda: "Silence 1 added." in browser.page_source, "the new silence")
        assert "vendor outage, on it" in browser.find_element(By.TAG_NAME, "main").text
        shoot(browser, "silences")


def _refreshed_until(driver: Any, text: str) -> bool:
    if text in driver.page_source:
        return True
    driver.refresh()
    return False
