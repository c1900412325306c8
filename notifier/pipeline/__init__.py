"""What the worker does with claimed events: route, suppress, group, and hand on notices."""
