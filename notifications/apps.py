from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from backend.accounts.privacy import account_erased, personal_data_requested
        from backend.reports.timeline import event_committed
        from notifications.recipients import erase_for, export_for, on_event_committed

        event_committed.connect(on_event_committed, dispatch_uid="notifications-on-event")
        personal_data_requested.connect(export_for, dispatch_uid="notifications-export")
        account_erased.connect(erase_for, dispatch_uid="notifications-erase")
