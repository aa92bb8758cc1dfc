"""collectstatic without viewflow's own frontend, which the product does not use (settings:
VIEWFLOW AUTOREGISTER off): its bundled CSS names font files the package does not ship, which
the hashed-names storage of the production profile refuses."""

from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "viewflow"]
