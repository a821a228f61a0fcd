from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PhotosConfig(AppConfig):
    name = "backend.photos"
    label = "photos"
    verbose_name = "Photos"

    def ready(self) -> None:
        from pillow_heif import register_heif_opener

        from backend.photos.models import Photo

        register_heif_opener()
        # A photo added, processed or hidden changes its report's view (the
        # queryset's update() tells the answer cache itself).
        for signal in (post_save, post_delete):
            signal.connect(_photos_changed, sender=Photo, dispatch_uid=f"photos-{signal}")


def _photos_changed(sender: type, instance: object, **kwargs: object) -> None:
    from backend.reports import freshness

    freshness.report_view_changed([instance.report_id])
