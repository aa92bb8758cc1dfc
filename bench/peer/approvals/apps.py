from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "bench.peer.approvals"
    label = "approvals"
