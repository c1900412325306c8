"""`notifier check [RULES]`: validate a rules file and say what is wrong, with file and line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from notifier.rules.load import RulesError, load_rules


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="validate rules.toml",
        description="Validate a rules file: exit 0 when it is valid, else 1 with located errors.",
    )
    parser.add_argument(
        "rules",
        nargs="?",
        metavar="RULES",
        help="the rules file (default: $RULES_FILE, else rules.toml)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.rules or os.environ.get("RULES_FILE") or "rules.toml")
    try:
        rules = load_rules(path)
    except RulesError as error:
        for message in error.errors:
            print(message, file=sys.stderr)
        return 1
    print(f"{path}: OK ({len(rules.routes)} routes, {len(rules.receivers)} receivers)")
    for warning in rules.warnings:
        print(f"warning: {warning}")
    return 0
