"""Errors a user can cause: shown as one located message, never as a traceback."""


class UserError(Exception):
    """A mistake in configuration, a file or a command line, worded for the user."""
