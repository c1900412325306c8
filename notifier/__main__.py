"""`python -m notifier`: the command where only the dependencies are installed (Heroku)."""

import sys

from notifier.cli import main

sys.exit(main())
