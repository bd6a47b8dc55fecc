"""REST API and web dashboard over a built database (``laborlens serve``)."""

from laborlens.service.app import ServiceConfig, create_app

__all__ = ["ServiceConfig", "create_app"]
