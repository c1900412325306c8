"""Twilio's five webhook sources: parse a verified request into normalised events."""
