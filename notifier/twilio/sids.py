"""What a Twilio SID names (from its two-letter prefix) and where the Console shows it."""

from __future__ import annotations

RESOURCE_TYPES: dict[str, str] = {
    "AC": "account",
    "AL": "ip_access_control_list",
    "AP": "application",
    "BU": "bundle",
    "CA": "call",
    "CF": "conference",
    "CH": "conversation",
    "CL": "credential_list",
    "FN": "flow_execution",
    "FW": "flow",
    "FX": "fax",
    "HX": "content",
    "IS": "sync_service",
    "MG": "messaging_service",
    "MM": "message",
    "NO": "debugger_event",
    "PN": "phone_number",
    "QU": "queue",
    "RE": "recording",
    "RM": "room",
    "SD": "sip_domain",
    "SM": "message",
    "TK": "trunk",
    "TR": "transcription",
    "UT": "usage_trigger",
    "VA": "verify_service",
    "WS": "taskrouter_workspace",
    "WT": "taskrouter_task",
    "WW": "taskrouter_workflow",
    "ZE": "serverless_environment",
    "ZH": "serverless_function",
    "ZS": "serverless_service",
}

_CONSOLE = "https://console.twilio.com/us1"
_LEGACY = "https://www.twilio.com/console"

# The Console has no stable deep link for most resources; these are the ones it keeps.
_RESOURCE_LINKS: dict[str, str] = {
    "call": _LEGACY + "/voice/calls/logs/{sid}",
    "message": _LEGACY + "/sms/logs/{sid}",
    "conference": _LEGACY + "/voice/conferences/logs/{sid}",
    "recording": _LEGACY + "/voice/recordings/recording-logs/{sid}",
    "phone_number": _LEGACY + "/phone-numbers/incoming/{sid}",
    "flow": _LEGACY + "/studio/flows/{sid}",
}


def resource_type(sid: str | None) -> str | None:
    """`CA0123…` -> `call`; None when the SID is missing or its prefix is unknown."""
    if not sid or len(sid) < 2:
        return None
    return RESOURCE_TYPES.get(sid[:2].upper())


def resource_link(sid: str | None) -> str | None:
    kind = resource_type(sid)
    template = _RESOURCE_LINKS.get(kind or "")
    return template.format(sid=sid) if template else None


def debugger_link(event_sid: str | None) -> str:
    """The debugger event in the Console, or the debugger log when the SID is unknown."""
    base = f"{_CONSOLE}/monitor/logs/debugger/errors"
    if event_sid and event_sid.upper().startswith("NO"):
        return f"{base}/{event_sid}"
    return base


def usage_triggers_link() -> str:
    return f"{_LEGACY}/usage/triggers"


def error_docs_link(code: str | None) -> str:
    if not code:
        return "https://www.twilio.com/docs/api/errors"
    return f"https://www.twilio.com/docs/api/errors/{code}"
