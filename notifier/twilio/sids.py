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

# The Console pages that show one resource, by resource type (the legacy Console's addresses,
# which the new Console redirects); a type without one gets no button rather than a list.
_RESOURCE_LINKS: dict[str, str] = {
    "alarm": _LEGACY + "/debugger/alarms/{sid}",
    "application": _LEGACY + "/voice/twiml/apps/{sid}",
    "call": _LEGACY + "/voice/calls/logs/{sid}",
    "conference": _LEGACY + "/voice/conferences/logs/{sid}",
    "flow": _LEGACY + "/studio/flows/{sid}",
    "message": _LEGACY + "/sms/logs/{sid}",
    "messaging_service": _LEGACY + "/sms/services/{sid}",
    "phone_number": _LEGACY + "/phone-numbers/incoming/{sid}",
    "recording": _LEGACY + "/voice/recordings/recording-logs/{sid}",
    "usage_trigger": _LEGACY + "/usage/triggers/{sid}",
}


def resource_type(sid: str | None) -> str | None:
    """`CA0123…` -> `call`; None when the SID is missing or its prefix is unknown."""
    if not sid or len(sid) < 2:
        return None
    return RESOURCE_TYPES.get(sid[:2].upper())


def resource_link(sid: str | None, kind: str | None = None) -> str | None:
    """The Console page of one resource; `kind` when the source names it (an alarm's SID has
    no prefix of its own)."""
    template = _RESOURCE_LINKS.get(kind or resource_type(sid) or "")
    return template.format(sid=sid) if template and sid else None


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
