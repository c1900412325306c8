"""Benchmarks of the notifier against a minimal reference app (DESIGN section 9)."""
