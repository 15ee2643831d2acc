"""Analyst tools: results as DataFrames, cross-region comparison."""

from fangfan_rules.analysis.compare import compare, disagreements, outcome_table, results_frame

__all__ = ["compare", "disagreements", "outcome_table", "results_frame"]
