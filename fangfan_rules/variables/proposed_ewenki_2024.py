"""Core variables first needed by the ewenki_2024 pack (to be merged into topic modules on review).

Define variables here with :func:`fangfan_rules.variables.registry.variable`, each with a
docstring-worthy label and a hand-worked test in tests/test_variables_ewenki_2024.py.
"""
