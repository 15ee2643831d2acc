"""``python -m fangfan_rules`` runs the command line."""

import sys

from fangfan_rules.cli import main

sys.exit(main())
