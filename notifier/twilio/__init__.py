"""Twilio knowledge: signatures, the error-code catalog, SID prefixes and Console links."""
