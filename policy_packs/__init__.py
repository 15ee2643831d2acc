"""The policy packs shipped with fangfan-rules, one per source document (see each CLAUSES.md)."""
