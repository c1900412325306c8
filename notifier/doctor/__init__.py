"""`notifier doctor`: a deployment's configuration checked from inside it, each finding in words."""
