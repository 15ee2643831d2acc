"""Analyst tools: results as DataFrames, cross-region comparison, what-if reforms and sweeps,
pack diffs, pack cards, rich displays and plots (plots need the ``[plot]`` extra)."""

from fangfan_rules.analysis.card import (
    PackCard,
    frame_html,
    identification_html,
    linked,
    pack_card,
    pack_card_html,
    pack_card_markdown,
    trace_html,
)
from fangfan_rules.analysis.compare import (
    compare,
    disagreements,
    outcome_table,
    results_frame,
    split_items,
)
from fangfan_rules.analysis.diff import PackDiff, diff_packs
from fangfan_rules.analysis.plots import plot_deadlines, plot_groups, plot_outcomes, plot_sweep
from fangfan_rules.analysis.reform import is_reformed, reform, rule_changes
from fangfan_rules.analysis.sweep import sweep, sweep_table

__all__ = [
    "PackCard",
    "PackDiff",
    "compare",
    "diff_packs",
    "disagreements",
    "frame_html",
    "identification_html",
    "is_reformed",
    "linked",
    "outcome_table",
    "pack_card",
    "pack_card_html",
    "pack_card_markdown",
    "plot_deadlines",
    "plot_groups",
    "plot_outcomes",
    "plot_sweep",
    "reform",
    "results_frame",
    "rule_changes",
    "split_items",
    "sweep",
    "sweep_table",
    "trace_html",
]
