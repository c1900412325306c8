from datetime import UTC, datetime, timedelta
from pathlib import Path
from textwrap import dedent

import pytest
from fakes.rules import make_rules

from notifier.rules.load import RulesError, load_rules, parse_rules
from notifier.rules.match import matches, select_routes
from notifier.rules.model import (
    ConsoleConfig,
    EmailConfig,
    Receiver,
    SlackApiConfig,
    SlackWebhookConfig,
)

REPO_RULES = Path(__file__).parents[2] / "rules.toml"

DESIGN_EXAMPLE = """\
[settings]
timezone = "Europe/Berlin"
retention = "30d"
[settings.accounts]
ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = "production"

[defaults]
receivers = ["ops"]
group_by = ["error_code", "account_sid"]
group_wait = "0s"
group_interval = "1m"
repeat_interval = "4h"
resolve_after = "off"

[receivers.ops]
slack = { channel = "#twilio-alerts" }
[receivers.ops-webhook]
slack = { webhook_url = "${SLACK_WEBHOOK_URL}" }
[receivers.finance]
email = { to = ["finance@example.com"], subject_prefix = "[twilio]" }
[receivers.local]
console = {}

[[routes]]
name = "ignore-test-account"
match = { account_sid = "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" }
drop = true

[[routes]]
name = "billing"
match = { source = ["usage_trigger"] }
receivers = ["finance", "ops"]
group_by = ["usage_trigger_sid"]

[[routes]]
name = "webhook-failures"
match = { error_code = ["11200-11299"], level = "error" }
match_re = { url = "^https://api\\\\.example\\\\.com/" }
exclude = { resource_type = "conference" }
threshold = { count = 5, within = "10m" }
mute_during = ["nightly-deploy"]
continue = true

[[routes]]
name = "everything-else"
match = {}

[[inhibit]]
when = { error_code = "11205" }
suppress = { error_code = ["11200"] }
equal = ["account_sid"]
for = "10m"

[time_windows.nightly-deploy]
weekdays = ["mon-fri"]
times = ["02:00-02:30"]

[fallback]
voice_say = "Sorry, we are having technical difficulties. Please try again later."
messaging_reply = ""

[[digests]]
name = "morning"
schedule = "0 9 * * mon-fri"
receivers = ["ops"]
"""
WEBHOOK_ENV = {"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x"}


def test_design_example_loads_with_every_section() -> None:
    rules = make_rules(DESIGN_EXAMPLE, env=WEBHOOK_ENV)
    assert [route.name for route in rules.routes] == [
        "ignore-test-account",
        "billing",
        "webhook-failures",
        "everything-else",
    ]
    assert rules.settings.timezone == "Europe/Berlin"
    assert rules.settings.accounts == {"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": "production"}
    assert rules.receivers["ops-webhook"].channels == (
        SlackWebhookConfig(WEBHOOK_ENV["SLACK_WEBHOOK_URL"]),
    )
    assert rules.receivers["finance"].channels == (
        EmailConfig(("finance@example.com",), "[twilio]"),
    )
    assert rules.inhibits[0].for_ == timedelta(minutes=10)
    assert rules.time_windows["nightly-deploy"].times == ((120, 150),)
    assert rules.digests[0].schedule == "0 9 * * mon-fri"
    assert rules.warnings == ()


def test_a_receiver_holds_several_channels_of_several_kinds() -> None:
    text = dedent(
        """\
        [receivers.ops]
        slack = [{ channel = "#a" }, { channel = "#b" }, { webhook_url = "https://x/1" }]
        email = { to = ["oncall@example.com"] }
        console = {}
        """
    )
    receiver = make_rules(text)
    assert receiver.receivers["ops"] == Receiver(
        "ops",
        (
            SlackApiConfig("#a"),
            SlackApiConfig("#b"),
            SlackWebhookConfig("https://x/1", 1),
            EmailConfig(("oncall@example.com",)),
            ConsoleConfig(),
        ),
    )
    keys = [channel.key for channel in receiver.receivers["ops"].channels]
    assert keys == ["slack:#a", "slack:#b", "webhook:1", "email:oncall@example.com", "console"]


def test_a_webhook_url_never_appears_in_a_receivers_repr() -> None:
    rules = make_rules('[receivers.hook]\nslack = { webhook_url = "https://x/T1/secret" }\n')
    assert "secret" not in repr(rules.receivers["hook"])


def test_routes_inherit_defaults_they_do_not_set() -> None:
    rules = make_rules(DESIGN_EXAMPLE, env=WEBHOOK_ENV)
    billing, failures = rules.routes[1], rules.routes[2]
    assert billing.timing.receivers == ("finance", "ops")
    assert billing.timing.group_by == ("usage_trigger_sid",)
    assert failures.timing.receivers == ("ops",)
    assert failures.timing.group_by == ("error_code", "account_sid")
    assert failures.threshold is not None and failures.threshold.count == 5


def test_design_example_routes_a_webhook_failure_to_two_routes() -> None:
    rules = make_rules(DESIGN_EXAMPLE, env=WEBHOOK_ENV)
    fields = {"level": "ERROR", "error_code": "11205", "url": "https://api.example.com/sms"}
    names = [route.name for route in select_routes(rules, fields)]
    assert names == ["webhook-failures", "everything-else"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('colour = "red"\n', r'rules\.toml:1: unknown key "colour" \(expected one of settings,'),
        ('[settings]\ntimzone = "UTC"\n', r'rules\.toml:2: settings: unknown key "timzone"'),
        (
            '[settings]\ntimezone = "Mars/Olympus"\n',
            r'rules\.toml:2: settings: unknown timezone "Mars/Olympus"',
        ),
        (
            '[settings]\nretention = "30 days"\n',
            r'rules\.toml:2: settings: retention: "30 days" is not a duration',
        ),
        ("[settings.accounts]\nAC1 = 1\n", r'rules\.toml:2: settings.accounts: the name of "AC1"'),
        ('[defaults]\ngroup_wiat = "1m"\n', r'rules\.toml:2: defaults: unknown key "group_wiat"'),
        (
            '[defaults]\ngroup_wait = "off"\n',
            r'rules\.toml:2: defaults: group_wait cannot be "off"',
        ),
        (
            "[defaults]\ngroup_wait = 30\n",
            r"rules\.toml:2: defaults: group_wait must be a duration",
        ),
        ('[defaults]\ngroup_by = ["code"]\n', r'rules\.toml:2: defaults: unknown field "code"'),
        ('[defaults]\nreceivers = ["ops"]\n', r'rules\.toml:2: defaults: unknown receiver "ops"'),
        (
            "[receivers.ops]\n",
            r'rules\.toml:1: receiver "ops": needs at least one channel: slack, email or console',
        ),
        (
            '[receivers.ops]\nslack = [{ channel = "#a" }, { chanel = "#b" }]\n',
            r'rules\.toml:2: receiver "ops": slack\[1\]: unknown key "chanel"',
        ),
        (
            '[receivers.ops]\nslack = [{ channel = "#a" }, { channel = "#a" }]\n',
            r'rules\.toml:2: receiver "ops": slack channel "#a" is listed twice',
        ),
        (
            "[receivers.ops]\nemail = []\n",
            r'rules\.toml:2: receiver "ops": email lists no channel',
        ),
        (
            '[receivers.ops]\nslack = ["#a"]\n',
            r'rules\.toml:2: receiver "ops": slack\[0\] must be a table',
        ),
        (
            "[receivers.ops]\npager = {}\n",
            r'rules\.toml:2: receiver "ops": unknown key "pager" \(expected one of slack, email',
        ),
        (
            '[receivers.ops]\nslack = { channel = "#a", webhook_url = "https://x" }\n',
            r'rules\.toml:2: receiver "ops": slack needs exactly one of channel',
        ),
        (
            '[receivers.ops]\nslack = { webhook_url = "hooks.slack.com/secret" }\n',
            r'rules\.toml:2: receiver "ops": slack.webhook_url is not an http\(s\) URL$',
        ),
        (
            '[receivers.ops]\nslack = { chanel = "#a" }\n',
            r'rules\.toml:2: receiver "ops": unknown key "chanel"',
        ),
        (
            "[receivers.ops]\nemail = { subject_prefix = 'x' }\n",
            r'rules\.toml:2: receiver "ops": missing key "to"',
        ),
        (
            "[receivers.ops]\nemail = { to = ['finance'] }\n",
            r'rules\.toml:2: receiver "ops": email.to: "finance" is not an email address',
        ),
        (
            "[receivers.ops]\nconsole = { colour = true }\n",
            r'rules\.toml:2: receiver "ops": unknown key "colour"',
        ),
        (
            "[receivers.ops]\nconsole = {}\n\n"
            '[[routes]]\nname = "webhooks"\nreceivers = ["ops-slak"]\n',
            r'rules\.toml:6: route "webhooks": unknown receiver "ops-slak"',
        ),
        (
            '[[routes]]\nname = "a"\nmatchh = {}\n',
            r'rules\.toml:3: route "a": unknown key "matchh"',
        ),
        ("[[routes]]\nmatch = {}\n", r'rules\.toml:1: route #1: missing key "name"'),
        (
            '[[routes]]\nname = "a"\ndrop = true\n\n[[routes]]\nname = "a"\ndrop = true\n',
            r'rules\.toml:6: route "a": duplicate name, first used on line 2',
        ),
        (
            '[[routes]]\nname = "a"\nmute_during = ["nightly"]\n',
            r'rules\.toml:3: route "a": unknown time window "nightly"',
        ),
        (
            '[[routes]]\nname = "a"\nmatch = { code = "11200" }\n',
            r'rules\.toml:3: route "a": match: unknown field "code"',
        ),
        (
            '[[routes]]\nname = "a"\nmatch = { level = 1.5 }\n',
            r'rules\.toml:3: route "a": match.level must be a string or a list of strings',
        ),
        (
            '[[routes]]\nname = "a"\nmatch = { level = [] }\n',
            r'rules\.toml:3: route "a": match.level must be a string or a list of strings',
        ),
        (
            '[[routes]]\nname = "a"\nmatch = { source = "usage_triggers" }\n',
            r'rules\.toml:3: route "a": match.source: unknown source "usage_triggers" \(one of',
        ),
        (
            '[[routes]]\nname = "a"\nmatch = { error_code = ["11299-11200"] }\n',
            r'rules\.toml:3: route "a": match.error_code: range "11299-11200" runs backwards',
        ),
        (
            '[[routes]]\nname = "a"\nexclude = { error_code = "1120x" }\n',
            r'rules\.toml:3: route "a": exclude.error_code: "1120x" is neither an error code',
        ),
        (
            '[[routes]]\nname = "a"\nmatch_re = { url = "(" }\n',
            r'rules\.toml:3: route "a": match_re.url: bad regex "\(": missing \)',
        ),
        (
            '[[routes]]\nname = "a"\nmatch_re = { url = ["a"] }\n',
            r'rules\.toml:3: route "a": match_re.url must be a string, not a list',
        ),
        (
            '[[routes]]\nname = "a"\nthreshold = { count = 0, within = "10m" }\n',
            r'rules\.toml:3: route "a": threshold count must be at least 1, not 0',
        ),
        (
            '[[routes]]\nname = "a"\nthreshold = { count = 5, within = "soon" }\n',
            r'rules\.toml:3: route "a": within: "soon" is not a duration',
        ),
        (
            '[[routes]]\nname = "a"\nthreshold = { count = 5 }\n',
            r'rules\.toml:3: route "a": missing key "within"',
        ),
        (
            '[[routes]]\nname = "a"\n\n[routes.threshold]\ncount = true\nwithin = "1m"\n',
            r'rules\.toml:5: route "a": count must be a whole number, not true or false',
        ),
        (
            '[routes]\nname = "a"\n',
            r"rules\.toml:1: routes must be a list of \[\[routes\]\] tables",
        ),
        (
            '[[inhibit]]\nwhen = { error_code = "11205" }\nsuppress = {}\n',
            r'rules\.toml:1: inhibit #1: missing key "for"',
        ),
        (
            '[[inhibit]]\nwhen = {}\nsuppress = {}\nfor = "1m"\nequal = ["account"]\n',
            r'rules\.toml:5: inhibit #1: unknown field "account"',
        ),
        (
            "[time_windows.night]\nweekdays = ['mon-fry']\n",
            r'rules\.toml:2: time window "night": weekdays: "mon-fry" is not a weekday',
        ),
        (
            "[time_windows.night]\nhours = ['22:00-06:00']\n",
            r'rules\.toml:2: time window "night": unknown key "hours"',
        ),
        ("[fallback]\nsay = 'Sorry'\n", r'rules\.toml:2: fallback: unknown key "say"'),
        (
            '[[digests]]\nname = "m"\nschedule = "0 9 * *"\nreceivers = []\n',
            r'rules\.toml:3: digest "m": schedule: "0 9 \* \*" has 4 fields, cron needs 5',
        ),
        (
            '[[digests]]\nname = "m"\nschedule = "0 9 * * 8"\nreceivers = []\n',
            r'rules\.toml:3: digest "m": schedule: weekday field "8": "8" is not a day',
        ),
        (
            '[[digests]]\nname = "m"\nschedule = "0 25 * * *"\nreceivers = []\n',
            r'rules\.toml:3: digest "m": schedule: .*the maximum value \(23\)',
        ),
        (
            '[[digests]]\nname = "m"\nschedule = "0 9 * * *"\nreceivers = ["ops"]\n',
            r'rules\.toml:4: digest "m": unknown receiver "ops"',
        ),
        (
            '[[digests]]\nname = "m"\nschedule = "0 9 * * *"\n\n'
            '[[digests]]\nname = "m"\nschedule = "0 9 * * *"\nreceivers = []\n',
            r'rules\.toml:6: digest "m": duplicate name, first used on line 2',
        ),
        ('[[digests]]\nname = "m"\n', r'rules\.toml:1: digest "m": missing key "schedule"'),
        (
            '[[digests]]\nname = "m"\nschedule = "0 9 * * *"\nreceivers = []\n'
            'match = { url = "https://x" }\n',
            r'rules\.toml:5: digest "m": digests can be scoped by source, level, error_code, '
            r'account_sid, resource_sid, not "url"',
        ),
        (
            '[[digests]]\nname = "m"\nschedule = "0 9 * * *"\nreceivers = []\n'
            'match_re = { url = "^https" }\n',
            r'rules\.toml:5: digest "m": digests cannot use match_re; use match or exclude',
        ),
        (
            '[receivers.hook]\nslack = { webhook_url = "${SLACK_WEBHOOK_URL}" }\n',
            r"rules\.toml:2: receivers\.hook\.slack\.webhook_url: "
            r"environment variable SLACK_WEBHOOK_URL is not set$",
        ),
        (
            '[settings]\ntimezone = "UTC\n',
            r"rules\.toml:2: Illegal character .*\(at line 2, column",
        ),
    ],
    ids=[
        "unknown-top-level-key",
        "unknown-settings-key",
        "unknown-timezone",
        "bad-retention",
        "account-name-not-string",
        "unknown-defaults-key",
        "group-wait-off",
        "duration-as-number",
        "group-by-unknown-field",
        "defaults-unknown-receiver",
        "receiver-without-channels",
        "receiver-list-item-names-its-index",
        "receiver-same-channel-twice",
        "receiver-empty-list",
        "receiver-list-of-strings",
        "receiver-unknown-kind",
        "slack-channel-and-webhook",
        "slack-webhook-not-url-and-not-echoed",
        "slack-unknown-key",
        "email-without-to",
        "email-bad-address",
        "console-unknown-key",
        "route-unknown-receiver",
        "route-unknown-key",
        "route-without-name",
        "duplicate-route-name",
        "unknown-time-window",
        "match-unknown-field",
        "match-value-float",
        "match-empty-list",
        "match-unknown-source",
        "backwards-code-range",
        "exclude-bad-code",
        "bad-regex",
        "regex-list",
        "threshold-count-zero",
        "threshold-bad-within",
        "threshold-without-within",
        "threshold-as-subtable",
        "routes-as-table",
        "inhibit-without-for",
        "inhibit-equal-unknown-field",
        "window-bad-weekday",
        "window-unknown-key",
        "fallback-unknown-key",
        "cron-four-fields",
        "cron-weekday-8",
        "cron-hour-25",
        "digest-unknown-receiver",
        "duplicate-digest-name",
        "digest-without-schedule",
        "digest-scoped-by-a-field-without-a-column",
        "digest-with-match-re",
        "unset-environment-variable",
        "toml-syntax-error",
    ],
)
def test_each_mistake_is_reported_with_file_line_and_key(text: str, error: str) -> None:
    with pytest.raises(RulesError, match=error) as raised:
        make_rules(text)
    assert len(raised.value.errors) == 1, raised.value.errors


def test_all_mistakes_are_reported_at_once_in_line_order() -> None:
    text = '[[routes]]\nname = "a"\nreceivers = ["x"]\n\n[settings]\ntimezone = "Nowhere"\n'
    with pytest.raises(RulesError) as raised:
        make_rules(text)
    assert raised.value.errors == [
        'rules.toml:3: route "a": unknown receiver "x"',
        'rules.toml:6: settings: unknown timezone "Nowhere" (use e.g. "Europe/Berlin")',
    ]


def test_missing_file_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    with pytest.raises(RulesError, match=r"rules\.toml: cannot read the rules: No such file"):
        load_rules(path)


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        (
            '[defaults]\ngroup_interval = "5m"\nrepeat_interval = "1m"\n',
            "rules.toml:3: defaults: repeat_interval 1m is shorter than group_interval 5m",
        ),
        (
            '[receivers.local]\nconsole = {}\n[[routes]]\nname = "all"\n'
            '[[routes]]\nname = "late"\nmatch = { level = "error" }\n',
            'rules.toml:5: route "late": can never match: route "all" above it (line 3)',
        ),
        (
            '[[routes]]\nname = "nowhere"\n',
            'rules.toml:1: route "nowhere": no receivers: its alerts are recorded but sent nowhere',
        ),
    ],
    ids=["repeat-shorter-than-group-interval", "route-after-catch-all", "route-without-receivers"],
)
def test_doubtful_but_valid_rules_load_with_a_located_warning(text: str, warning: str) -> None:
    warnings = make_rules(text).warnings
    assert len(warnings) == 1
    assert warnings[0].startswith(warning)


def test_route_after_catch_all_with_continue_gets_no_warning() -> None:
    text = """\
        [receivers.local]
        console = {}
        [[routes]]
        name = "all"
        continue = true
        [[routes]]
        name = "errors"
        match = { level = "error" }
        """
    assert make_rules(text).warnings == ()


@pytest.mark.parametrize(
    ("text", "receivers"),
    [
        ('[receivers.local]\nconsole = {}\n[[routes]]\nname = "a"\n', ("local",)),
        ('[receivers.ops]\nconsole = {}\n[[routes]]\nname = "a"\n', ()),
        (
            '[receivers.ops]\nconsole = {}\n[defaults]\nreceivers = ["ops"]\n'
            '[[routes]]\nname = "a"\n',
            ("ops",),
        ),
        ('[defaults]\nreceivers = []\n[[routes]]\nname = "a"\ndrop = true\n', ()),
    ],
    ids=["local-when-defined", "none-without-local", "defaults-receivers", "explicitly-none"],
)
def test_route_without_receivers_gets_defaults_then_local(
    text: str, receivers: tuple[str, ...]
) -> None:
    assert make_rules(text).routes[0].timing.receivers == receivers


def test_file_without_routes_is_valid_and_alerts_nothing() -> None:
    rules = make_rules("[settings]\ntimezone = 'UTC'\n")
    assert rules.routes == ()
    assert select_routes(rules, {"level": "error"}) == []


def test_match_values_are_normalised_at_load_time() -> None:
    text = """\
        [[routes]]
        name = "a"
        drop = true
        match = { level = "ERROR", recurring = true, http_status = 500 }
        """
    matcher = make_rules(text).routes[0].matcher
    assert matches(matcher, {"level": "error", "recurring": "true", "http_status": 500})


def test_environment_variables_fill_string_values() -> None:
    text = '[receivers.hook]\nslack = { channel = "#${TEAM}-alerts" }\n'
    rules = make_rules(text, env={"TEAM": "voice"})
    assert rules.receivers["hook"].channels == (SlackApiConfig("#voice-alerts"),)


def test_cron_weekday_numbers_are_accepted_as_cron_means_them() -> None:
    text = '[[digests]]\nname = "sundays"\nschedule = "0 9 * * 0,7"\nreceivers = []\n'
    assert make_rules(text).digests[0].schedule == "0 9 * * 0,7"


def test_repo_example_rules_validate_without_environment() -> None:
    rules = load_rules(REPO_RULES, env={})
    assert rules.warnings == ()
    assert rules.receivers["local"].channels == (ConsoleConfig(),)
    assert [type(channel) for channel in rules.receivers["ops"].channels] == [
        SlackApiConfig,
        EmailConfig,
    ]
    assert rules.routes[-1].name == "everything-else"
    assert rules.time_windows and rules.digests


def test_repo_example_receivers_load_once_uncommented() -> None:
    text = REPO_RULES.read_text(encoding="utf-8").replace("# [receivers.", "[receivers.")
    for key in ("slack = {", "email = {"):
        text = text.replace(f"# {key}", key)
    rules = parse_rules(text, "rules.toml", env={"SLACK_WEBHOOK_URL": "https://hooks.example/x"})
    assert set(rules.receivers) == {"local", "ops", "ops-webhook", "finance"}


# Fields of the events in tests/data/samples/, as the ingest normalises them.
SAMPLES = {
    "debugger-11200-docs-example": {
        "source": "debugger",
        "level": "error",
        "error_code": "11200",
        "account_sid": "ACxxxxxxxxxxxxxxxxxxxxxxxx",
        "resource_sid": "CAxxxxxxxx",
        "resource_type": "call",
        "url": "https://yyy.zzz",
        "http_status": 404,
    },
    "debugger-30007-real-minimal": {
        "source": "debugger",
        "level": "error",
        "error_code": "30007",
        "account_sid": "AC9a5a39b6ac47a0061bb00da10efd8264",
        "resource_sid": "SMba2e5f029d1b1630bbf01232ff9b814c",
        "resource_type": "message",
    },
    "debugger-32009-warning-sip": {
        "source": "debugger",
        "level": "warning",
        "error_code": "32009",
        "resource_sid": "CA8339b5eb12c2b5bcd3e5e21dd836855a",
        "url": "sip:landline@direct-futel-prod.sip.twilio.com",
        "method": "INVITE",
    },
    "usage-trigger-totalprice-fixture": {
        "source": "usage_trigger",
        "level": "warning",
        "account_sid": "AC626dc6e5b03904e6270f353f4a2f068f",
        "usage_trigger_sid": "UTcredit_overdraft",
        "usage_category": "totalprice",
        "trigger_by": "quantity",
        "trigger_value": "1000",
        "current_value": "50",
    },
}


@pytest.mark.parametrize("sample", SAMPLES.values(), ids=SAMPLES.keys())
def test_sample_events_reach_the_example_catch_all(sample: dict[str, object]) -> None:
    rules = load_rules(REPO_RULES, env={})
    fields = {**sample, "time": datetime(2024, 6, 4, 2, 10, tzinfo=UTC)}
    assert [route.name for route in select_routes(rules, fields)] == ["everything-else"]
