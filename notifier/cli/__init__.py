"""The `notifier` command: one module per subcommand, assembled here."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from notifier.errors import UserError

# Each module defines `add_parser(subparsers)`, which sets `run(args) -> int` as a default.
COMMAND_MODULES = (
    "serve",
    "worker",
    "clock",
    "check",
    "routes",
    "simulate",
    "events",
    "notifications",
    "replay",
    "silence",
    "audit",
    "digest",
    "render",
    "slack",
    "email",
    "migrate",
    "doctor",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="notifier",
        description="Receive Twilio alert webhooks, store them, and post grouped alerts.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"notifier.cli.{name}").add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except UserError as error:
        print(f"notifier: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; stop quietly like other command-line tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
