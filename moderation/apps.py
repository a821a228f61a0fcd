from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from backend.photos.signals import photo_processed
        from backend.reports.models import EventKind
        from backend.reports.timeline import event_recorded
        from moderation.screening import screen_photo
        from moderation.services import open_case

        def on_event(sender, event, **kwargs):
            if event.kind == EventKind.SCREENED:
                open_case(event)

        def on_photo(sender, photo, **kwargs):
            screen_photo(photo)

        event_recorded.connect(on_event, dispatch_uid="moderation-open-case", weak=False)
        photo_processed.connect(on_photo, dispatch_uid="moderation-screen-photo", weak=False)
