"""Engines that evaluate a pack's rules. The native evaluator is the reference with full traces."""

from fangfan_rules.engines.native import identify

__all__ = ["identify"]
