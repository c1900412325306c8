"""Acting on alerts from Slack: the buttons' clicks and the `/twilio-alerts` slash command."""
