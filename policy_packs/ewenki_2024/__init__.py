"""鄂温克族自治旗2024年第二季度防止返贫动态监测帮扶集中排查工作方案 as a policy pack.

All rules and parameters live in the YAML files beside this module; see CLAUSES.md for the map
from the document's clauses to rule ids and tests.
"""

from pathlib import Path

from fangfan_rules.packs import Pack

pack = Pack.from_directory(Path(__file__).parent)
