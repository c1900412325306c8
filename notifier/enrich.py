"""Add what Twilio's event does not carry: the catalog's message and product, account names."""

from __future__ import annotations

from collections.abc import Mapping

from notifier.events import Event
from notifier.twilio.catalog import Catalog


def enrich(event: Event, catalog: Catalog, accounts: Mapping[str, str]) -> Event:
    entry = catalog.lookup(event.error_code)
    error_message = event.error_message or (entry.message if entry else None)
    product = event.product or (entry.product if entry else None)
    account_name = accounts.get(event.account_sid or "") or event.account_name
    if (error_message, product, account_name) == (
        event.error_message,
        event.product,
        event.account_name,
    ):
        return event
    return event._replace(error_message=error_message, product=product, account_name=account_name)
