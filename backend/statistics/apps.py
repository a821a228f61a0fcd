from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "backend.statistics"
    label = "statistics"
    verbose_name = "Statistics"
