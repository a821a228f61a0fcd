from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "backend.photos"
    label = "photos"
    verbose_name = "Photos"

    def ready(self) -> None:
        from pillow_heif import register_heif_opener

        register_heif_opener()
