import pathlib
import sys

# Lets tests import shared helpers as `from fakes.slack import FakeSlack`.
sys.path.insert(0, str(pathlib.Path(__file__).parent))
