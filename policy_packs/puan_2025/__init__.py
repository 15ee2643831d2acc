"""普安乡《关于健全完善防止返贫动态监测和帮扶工作机制的通知》 (2025-03-14, Chongqing) as a policy pack.

All rules and parameters live in the YAML files beside this module; see CLAUSES.md for the map
from the document's clauses to rule ids and tests.
"""

from pathlib import Path

from fangfan_rules.packs import Pack

pack = Pack.from_directory(Path(__file__).parent)
