from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ReportsConfig(AppConfig):
    name = "backend.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from backend.reports.models import ReportEvent

        # A report's own writes tell the answer cache in Report.save() and the
        # queryset's update(); a timeline entry, through these.
        for signal in (post_save, post_delete):
            signal.connect(_timeline_changed, sender=ReportEvent, dispatch_uid=f"timeline-{signal}")


def _timeline_changed(sender: type, instance: object, **kwargs: object) -> None:
    from backend.reports import freshness

    freshness.report_view_changed([instance.report_id])
