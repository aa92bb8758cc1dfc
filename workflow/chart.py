"""The process drawn as a picture (viewflow's own layout), with a dossier's current step marked."""

from __future__ import annotations

from django.urls import get_resolver
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.chart import calc_cell_status, calc_layout_data, grid_to_svg
from viewflow.workflow.status import STATUS

from dossiers.models import Dossier
from workflow.flows import DossierFlow
from workflow.models import DossierProcess
from workflow.process import open_tasks

# The nodes that are not steps: viewflow names them from their attribute ("Start", "Route"),
# shown as the tooltip of their symbol; people read these instead.
NODE_TITLES = {
    "start": _("The dossier is created"),
    "route": _("Next step, by the dossier's state"),
    "end": _("The process ends"),
}


def flow_svg(dossier: Dossier | None = None) -> str:
    """SVG of DossierFlow; with a dossier, done steps green and the current step highlighted."""
    get_resolver().url_patterns  # noqa: B018 - viewflow nodes reverse URLs once the URLconf is built
    grid = calc_layout_data(DossierFlow)
    for cell in grid.cells:
        if cell.node.name in NODE_TITLES and cell.title:
            cell.title = str(NODE_TITLES[cell.node.name])
    if dossier is not None:
        process = DossierProcess.objects.filter(dossier=dossier).first()
        if process is not None:
            calc_cell_status(DossierFlow, grid, process.pk)
            for task in open_tasks(dossier):
                grid[task.flow_task].status = STATUS.STARTED
    return grid_to_svg(grid)
