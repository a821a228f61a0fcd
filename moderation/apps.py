from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from backend.photos.signals import photo_attached, photo_processed
        from backend.reports.models import EventKind
        from backend.reports.timeline import event_recorded
        from moderation.screening import screen_photo
        from moderation.services import open_case

        def on_event(sender, event, **kwargs):
            if event.kind == EventKind.SCREENED:
                open_case(event)

        def on_photo(sender, photo, **kwargs):
            screen_photo(photo)

        from backend.accounts.privacy import account_erased, personal_data_requested
        from moderation.models import Flag

        def export_flags(sender, user, **kwargs):
            flags = Flag.objects.filter(user=user)
            return "flags", [{"report": str(f.report_id), "reason": f.reason} for f in flags]

        def erase_flags(sender, user, **kwargs):
            Flag.objects.filter(user=user).delete()

        event_recorded.connect(on_event, dispatch_uid="moderation-open-case", weak=False)
        personal_data_requested.connect(export_flags, dispatch_uid="moderation-export", weak=False)
        account_erased.connect(erase_flags, dispatch_uid="moderation-erase", weak=False)
        photo_processed.connect(on_photo, dispatch_uid="moderation-screen-photo", weak=False)
        photo_attached.connect(on_photo, dispatch_uid="moderation-screen-attached", weak=False)

        from django.db.models.signals import post_delete, post_save

        from moderation.models import Ban
        from moderation.rules import watch_reference_data
        from moderation.screening import refresh_ban

        watch_reference_data()
        post_save.connect(refresh_ban, sender=Ban, dispatch_uid="moderation-ban-saved")
        post_delete.connect(refresh_ban, sender=Ban, dispatch_uid="moderation-ban-deleted")
