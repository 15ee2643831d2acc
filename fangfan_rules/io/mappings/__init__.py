"""Shipped spreadsheet mappings (YAML) and the JSON Schema they follow (package data)."""
