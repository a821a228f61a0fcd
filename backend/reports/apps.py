from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "backend.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from backend.accounts.privacy import account_erased, personal_data_requested
        from backend.reports import personal_data

        personal_data_requested.connect(personal_data.export_reports, dispatch_uid="reports-export")
        personal_data_requested.connect(
            personal_data.export_following, dispatch_uid="reports-export-following"
        )
        account_erased.connect(personal_data.erase_reporter, dispatch_uid="reports-erase")
