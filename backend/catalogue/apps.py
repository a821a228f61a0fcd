from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "backend.catalogue"
    label = "catalogue"
    verbose_name = "Category catalogue"

    def ready(self) -> None:
        from backend.catalogue import active

        active.watch_saves()
