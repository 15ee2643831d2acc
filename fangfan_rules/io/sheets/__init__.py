"""Households from officials' spreadsheets: XLSX/XLS/ODS workbooks and CSV files (UTF-8, GBK,
UTF-16) of member rows with Chinese headers, read through a YAML mapping (docs/spreadsheets.md).
"""

from fangfan_rules.io.sheets.importer import ImportSummary, import_to_jsonl
from fangfan_rules.io.sheets.mapping import (
    Column,
    MappingError,
    RecordGroup,
    SpreadsheetError,
    SpreadsheetMapping,
    load_mapping,
)
from fangfan_rules.io.sheets.reader import SpreadsheetRows, read_spreadsheet
from fangfan_rules.io.sheets.schema import mapping_json_schema

__all__ = [
    "Column",
    "ImportSummary",
    "MappingError",
    "RecordGroup",
    "SpreadsheetError",
    "SpreadsheetMapping",
    "SpreadsheetRows",
    "import_to_jsonl",
    "load_mapping",
    "mapping_json_schema",
    "read_spreadsheet",
]
