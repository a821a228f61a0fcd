from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "backend.photos"
    label = "photos"
    verbose_name = "Photos"

    def ready(self) -> None:
        from pillow_heif import register_heif_opener

        register_heif_opener()

        from backend.accounts.privacy import account_erased, personal_data_requested
        from backend.photos import personal_data

        personal_data_requested.connect(personal_data.export_photos, dispatch_uid="photos-export")
        account_erased.connect(personal_data.erase_uploader, dispatch_uid="photos-erase")
