"""The HTTP service (optional extra ``[service]``): FastAPI over the case store. The core library
never imports this package."""

from fangfan_rules.service.app import create_app
from fangfan_rules.service.settings import Settings

__all__ = ["Settings", "create_app"]
