"""Reading households from files and writing results: JSON, JSON Lines, CSV, and officials'
spreadsheets (XLSX / CSV of member rows through a column mapping: :func:`read_spreadsheet`)."""

from typing import Any

from fangfan_rules.io.readers import Row, read_households
from fangfan_rules.io.sheets import (
    ImportSummary,
    MappingError,
    SpreadsheetError,
    SpreadsheetMapping,
    SpreadsheetRows,
    import_to_jsonl,
    load_mapping,
    mapping_json_schema,
    read_spreadsheet,
)
from fangfan_rules.io.writers import RESULT_COLUMNS, write_results

__all__ = [
    "DEFAULT_MAPPING",
    "RESULT_COLUMNS",
    "ImportSummary",
    "MappingError",
    "Row",
    "SpreadsheetError",
    "SpreadsheetMapping",
    "SpreadsheetRows",
    "import_to_jsonl",
    "load_mapping",
    "mapping_json_schema",
    "read_households",
    "read_spreadsheet",
    "write_results",
]


def __getattr__(name: str) -> Any:
    # DEFAULT_MAPPING is loaded (YAML + JSON Schema check) on first use, not on import.
    if name == "DEFAULT_MAPPING":
        mapping = load_mapping("default")
        globals()["DEFAULT_MAPPING"] = mapping
        return mapping
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
