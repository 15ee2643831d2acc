"""Core variables first needed by the jimo_2022 pack (to be merged into topic modules on review).

Define variables here with :func:`fangfan_rules.variables.registry.variable`, each with a
docstring-worthy label and a hand-worked test in tests/test_variables_jimo_2022.py.
"""
