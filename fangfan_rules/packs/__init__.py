"""Policy packs: cited, dated parameters and rules for one jurisdiction's document."""

from fangfan_rules.packs.pack import DocumentInfo, Pack
from fangfan_rules.packs.registry import ENTRY_POINT_GROUP, available_packs, load_pack

__all__ = ["ENTRY_POINT_GROUP", "DocumentInfo", "Pack", "available_packs", "load_pack"]
