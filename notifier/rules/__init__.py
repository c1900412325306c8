"""rules.toml: the model, its loader with located errors, and the matchers."""
