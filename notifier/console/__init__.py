"""The web console at /console: stored events, groups, notifications, silences and digests."""
