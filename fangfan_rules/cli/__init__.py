"""The ``fangfan-rules`` command line (also ``python -m fangfan_rules``), built on click with
rich-click help.

Layout: :mod:`~fangfan_rules.cli.app` (the root command, errors → one line and an exit code),
shared pieces (:mod:`~fangfan_rules.cli.options`, :mod:`~fangfan_rules.cli.runtime`,
:mod:`~fangfan_rules.cli.output`, :mod:`~fangfan_rules.cli.tables`,
:mod:`~fangfan_rules.cli.progress`) and one module per command group in
:mod:`fangfan_rules.cli.commands` (each lists its commands in ``COMMANDS``; a new group is one new
module). Exit codes are in :mod:`~fangfan_rules.cli.exits`.
"""

from fangfan_rules.cli.app import cli, main
from fangfan_rules.cli.exits import EXIT_BAD_ROWS, EXIT_CANNOT_RUN, EXIT_INTERNAL, EXIT_OK

__all__ = ["EXIT_BAD_ROWS", "EXIT_CANNOT_RUN", "EXIT_INTERNAL", "EXIT_OK", "cli", "main"]
