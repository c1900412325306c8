"""A phone number's Fallback URL: Twilio's voice/messaging params plus ErrorCode and ErrorUrl."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from notifier.events import Event, Source
from notifier.ingest.request import Parsed, RequestData, require, text_or_none
from notifier.rules.model import FallbackTwiml
from notifier.twilio.sids import resource_type


def parse(request: RequestData) -> list[Parsed]:
    fields = request.fields
    require(fields, "AccountSid")
    sid = _resource_sid(fields)
    code = text_or_none(fields.get("ErrorCode"))
    error_url = text_or_none(fields.get("ErrorUrl"))
    event = Event(
        source=Source.FALLBACK,
        time=request.received_at,
        level="error",
        error_code=code,
        message=f"Twilio used the fallback URL: {error_url or 'the primary URL'} failed",
        account_sid=text_or_none(fields.get("AccountSid")),
        resource_sid=sid,
        resource_type=resource_type(sid),
        url=error_url,
    )
    # One fallback hit per call or message and error; retries of it carry the same pair.
    identity = f"{sid}:{code}" if sid else None
    return [Parsed(event=event, identity=identity)]


def twiml(fields: Mapping[str, str], config: FallbackTwiml) -> str:
    """Voice calls hear `voice_say`; messages get `messaging_reply` or nothing."""
    if fields.get("CallSid"):
        voice = VoiceResponse()
        if config.voice_say:
            voice.say(config.voice_say)
        return str(voice.to_xml())
    messaging = MessagingResponse()
    if config.messaging_reply:
        messaging.message(config.messaging_reply)
    return str(messaging.to_xml())


def _resource_sid(fields: Mapping[str, str]) -> str | None:
    for name in ("CallSid", "MessageSid", "SmsSid"):
        value = text_or_none(fields.get(name))
        if value:
            return value
    return None
