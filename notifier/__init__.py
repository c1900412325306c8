"""twilio-alert-notifier: Twilio webhooks in, grouped alerts out."""
