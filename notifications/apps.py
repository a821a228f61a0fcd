from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from backend.reports.timeline import event_recorded
        from notifications.recipients import on_event_recorded

        event_recorded.connect(on_event_recorded, dispatch_uid="notifications-on-event")
