"""The common configuration of every fact model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Fact(BaseModel):
    """Immutable, strict about unknown fields (a typo is an error, not a silently ignored key)."""

    # hide_input_in_errors: a raw pydantic error would otherwise echo an unmasked ID number.
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True
    )
