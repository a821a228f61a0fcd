from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "backend.areas"
    label = "areas"
    verbose_name = "Areas and routing"

    def ready(self) -> None:
        from backend.areas import routing, units

        routing.watch_reference_data()
        units.watch_saves()
