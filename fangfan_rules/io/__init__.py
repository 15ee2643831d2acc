"""Reading households from files and writing results: JSON, JSON Lines and CSV."""

from fangfan_rules.io.readers import Row, read_households
from fangfan_rules.io.writers import RESULT_COLUMNS, write_results

__all__ = ["RESULT_COLUMNS", "Row", "read_households", "write_results"]
