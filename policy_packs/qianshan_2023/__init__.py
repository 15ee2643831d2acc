"""千山区2023年防止返贫监测帮扶集中排查工作方案 (鞍千乡村振兴发〔2023〕3号) as a policy pack.

All rules and parameters live in the YAML files beside this module; see CLAUSES.md for the map
from the document's clauses to rule ids and tests.
"""

from pathlib import Path

from fangfan_rules.packs import Pack

pack = Pack.from_directory(Path(__file__).parent)
