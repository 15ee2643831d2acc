"""Exit codes, the same for every command (shown at the end of ``fangfan-rules --help``)."""

from __future__ import annotations

#: Done: every input row was evaluated.
EXIT_OK = 0
#: An unexpected error inside fangfan-rules (a bug: please report it with FANGFAN_DEBUG=1 output).
EXIT_INTERNAL = 1
#: Could not run: bad arguments, unknown pack, a parameter the caller must supply, an unreadable
#: file or header, an invalid calendar schedule. Nothing (or nothing useful) was written.
EXIT_CANNOT_RUN = 2
#: Done with bad rows or errors: some input rows (or pack × household cells) could not be
#: evaluated; each one is in the output with its reason, and every other row was evaluated.
EXIT_BAD_ROWS = 3
#: Interrupted (Ctrl-C).
EXIT_INTERRUPTED = 130
#: The reader of our output went away (e.g. piped into ``head``): stopped quietly, as Unix tools do.
EXIT_BROKEN_PIPE = 141

EXIT_CODES_HELP = (
    "Exit codes (every command): 0 done; 3 done with bad rows or errors (each is in the output "
    "with its reason, every other row was evaluated); 2 could not run (bad arguments, unknown "
    "pack, missing parameter, unreadable file or calendar schedule); 1 internal error (a bug); "
    "130 interrupted; 141 output pipe closed (e.g. piped into head)."
)
