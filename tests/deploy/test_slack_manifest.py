"""slack-app.yaml sets Slack up in one step: the URLs the bot serves, the scopes it uses."""

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "slack-app.yaml").read_text("utf-8"))
    return loaded


def test_the_manifest_points_interactivity_at_slack_actions() -> None:
    interactivity = manifest()["settings"]["interactivity"]

    assert interactivity == {"is_enabled": True, "request_url": "https://YOUR-APP/slack/actions"}


def test_the_manifest_declares_the_twilio_alerts_command_at_slack_commands() -> None:
    [command] = manifest()["features"]["slash_commands"]

    assert (command["command"], command["url"]) == (
        "/twilio-alerts",
        "https://YOUR-APP/slack/commands",
    )


def test_the_manifest_asks_for_the_scopes_acting_from_slack_needs() -> None:
    scopes = manifest()["oauth_config"]["scopes"]["bot"]

    assert {"chat:write", "commands", "usergroups:read"} <= set(scopes)


def test_the_readme_deploys_with_the_manifest_and_the_signing_secret() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")

    assert "slack-app.yaml" in readme and "SLACK_SIGNING_SECRET" in readme
    assert "/twilio-alerts" in readme
