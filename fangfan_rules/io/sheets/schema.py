"""The JSON Schema of a mapping file, built from the fact models and shipped as
``fangfan_rules/io/mappings/mapping.schema.json`` (a test keeps the shipped file current:
regenerate it with ``python -m fangfan_rules.io.sheets.schema``)."""

from __future__ import annotations

import json
import sys
from typing import Any

from fangfan_rules.io.sheets.fields import (
    RECORD_MODELS,
    household_fields,
    member_fields,
    record_fields,
)

#: Text forms of an amount a mapping may accept (an Excel number cell is always an amount).
MONEY_FORMS = ("plain", "thousands", "yuan_suffix", "wan")
#: Text forms of a date a mapping may accept, and the two Excel forms.
DATE_FORMS = (
    "ymd_slash",
    "ymd_dash",
    "ymd_chinese",
    "ymd_dot",
    "ymd_compact",
    "excel_date",
    "excel_serial",
)

_DATE_TEXT = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}


def _columns(paths: list[str], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "type": "object",
        "propertyNames": {"enum": paths},
        "additionalProperties": {"$ref": "#/$defs/column"},
    }


def _record(into: str) -> dict[str, Any]:
    fields = sorted(record_fields(into))
    properties: dict[str, Any] = {
        "into": {"const": into},
        "description": {"type": "string"},
        "columns": _columns(fields, f"which column fills which field of each {into} record"),
        "fixed": {
            "description": "fields every record of this group has (e.g. kind: medical)",
            "type": "object",
            "propertyNames": {"enum": fields},
        },
    }
    if into != "income":
        properties["each_row"] = {
            "description": "one record per row that fills these columns (each member's own), "
            "instead of one per household (default: cells on several rows must agree)",
            "type": "boolean",
        }
    if into == "income":
        properties["period"] = {
            "description": "the period the income columns cover (both ends included); if "
            "absent the caller supplies it (income_period= / --income-period)",
            "type": "object",
            "additionalProperties": False,
            "required": ["start", "end"],
            "properties": {"start": _DATE_TEXT, "end": _DATE_TEXT},
        }
        properties["check"] = {
            "description": "derived figures in the sheet, checked against the components",
            "type": "object",
            "additionalProperties": False,
            "properties": {"per_capita_net_income": {"$ref": "#/$defs/column"}},
        }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["into", "columns"],
        "properties": properties,
    }


def mapping_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every mapping file is checked against when loaded."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://fangfan-rules/schemas/spreadsheet-mapping-1.json",
        "title": "fangfan-rules spreadsheet mapping",
        "description": "Which spreadsheet column is which household or member fact, and which "
        "Chinese word is which value of the shared vocabulary (docs/spreadsheets.md).",
        "type": "object",
        "additionalProperties": False,
        "required": ["mapping", "name", "household", "member"],
        "properties": {
            "mapping": {"description": "format version of this file", "const": 1},
            "name": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "sheet": {
                "description": "sheet name to read (null: the first sheet)",
                "type": ["string", "null"],
            },
            "header_rows": {
                "description": "rows the header takes (2 or 3 under merged group headers)",
                "type": "integer",
                "minimum": 1,
                "maximum": 5,
            },
            "header_search_rows": {
                "description": "the header is the first row, among this many, that holds the "
                "household key's header (title rows above it are skipped)",
                "type": "integer",
                "minimum": 1,
                "maximum": 200,
            },
            "totals_markers": {
                "description": "a row holding one of these words and no household key is a "
                "totals row (合计) and is skipped (counted in the summary)",
                "type": "array",
                "items": {"type": "string", "minLength": 1},
            },
            "money_forms": {
                "description": "text forms an amount may take; Excel number cells are always "
                "read, but never rounded",
                "type": "array",
                "minItems": 1,
                "items": {"enum": list(MONEY_FORMS)},
            },
            "date_forms": {
                "description": "forms a date may take",
                "type": "array",
                "minItems": 1,
                "items": {"enum": list(DATE_FORMS)},
            },
            "vocabularies": {
                "description": "named word lists, referred to by columns' `words`",
                "type": "object",
                "additionalProperties": {"$ref": "#/$defs/words"},
            },
            "household": _columns(
                sorted(household_fields()),
                "household-level columns (the same on every row of one household)",
            ),
            "member": _columns(sorted(member_fields()), "member-level columns (one per row)"),
            "records": {
                "description": "dated records on the household: income over a period, "
                "social-assistance spells, rigid spending, risk events",
                "type": "array",
                "items": {"oneOf": [_record(into) for into in RECORD_MODELS]},
            },
            "ignore": {
                "description": "headers deliberately not read (reported as ignored, not unknown)",
                "type": "array",
                "items": {"type": "string", "minLength": 1},
            },
        },
        "$defs": {
            "words": {
                "description": "cell text -> value of the field (an enum value, true/false, a "
                "number, an object of sub-fields, or null: the word says the fact is absent)",
                "type": "object",
                "propertyNames": {"minLength": 1},
                "additionalProperties": {
                    "type": ["string", "boolean", "integer", "null", "object"]
                },
            },
            "column": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "header": {"type": "string", "minLength": 1},
                    "value": {
                        "description": "a value for every row instead of a column (e.g. the "
                        "county of a county's own sheet)",
                        "type": ["string", "boolean", "integer", "object"],
                    },
                    "words": {
                        "description": "a vocabulary name or an inline word list",
                        "oneOf": [{"type": "string"}, {"$ref": "#/$defs/words"}],
                    },
                    "suffixes": {
                        "description": "unit words allowed after a whole number (头, 只, 年)",
                        "type": "array",
                        "items": {"type": "string", "minLength": 1},
                    },
                    "required": {
                        "description": "the sheet must have this column (else it is refused)",
                        "type": "boolean",
                    },
                },
                "oneOf": [{"required": ["header"]}, {"required": ["value"]}],
            },
        },
    }


def main() -> None:
    """Print the schema (to regenerate the shipped file)."""
    json.dump(mapping_json_schema(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
