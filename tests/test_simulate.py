import json
from urllib.parse import parse_qs

from notifier.simulate import KINDS, sample
from notifier.twilio.catalog import bundled_catalog


def sent_code(kind: str) -> str | None:
    request = sample(kind)
    if request.form is None:
        return str(json.loads(request.body)[0]["data"]["error_code"])
    fields = {name: values[0] for name, values in parse_qs(request.body).items()}
    if "Payload" in fields:
        return str(json.loads(fields["Payload"])["error_code"])
    return fields.get("ErrorCode")


def test_each_kind_simulates_its_own_realistic_error_code() -> None:
    codes = {kind: sent_code(kind) for kind in KINDS}
    assert codes == {
        "debugger": "11200",
        "usage-trigger": None,
        "alarm": "30007",
        "event-stream": "30003",
        "fallback": "11205",
    }
    for code in filter(None, codes.values()):
        entry = bundled_catalog().lookup(code)
        assert entry is not None and entry.causes, code


def test_a_code_given_on_the_command_line_wins() -> None:
    request = sample("alarm", "11200")
    assert request.form is not None and request.form["ErrorCode"] == "11200"
