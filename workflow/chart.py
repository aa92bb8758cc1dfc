"""The process drawn as a picture (viewflow's own layout), with a dossier's current step marked."""

from __future__ import annotations

from django.urls import get_resolver
from viewflow.workflow.chart import calc_cell_status, calc_layout_data, grid_to_svg
from viewflow.workflow.status import STATUS

from dossiers.models import Dossier
from workflow.flows import DossierFlow
from workflow.models import DossierProcess
from workflow.process import open_tasks


def flow_svg(dossier: Dossier | None = None) -> str:
    """SVG of DossierFlow; with a dossier, done steps green and the current step highlighted."""
    get_resolver().url_patterns  # noqa: B018 - viewflow nodes reverse URLs once the URLconf is built
    grid = calc_layout_data(DossierFlow)
    if dossier is not None:
        process = DossierProcess.objects.filter(dossier=dossier).first()
        if process is not None:
            calc_cell_status(DossierFlow, grid, process.pk)
            for task in open_tasks(dossier):
                grid[task.flow_task].status = STATUS.STARTED
    return grid_to_svg(grid)
