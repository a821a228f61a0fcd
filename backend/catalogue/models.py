from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class CategoryQuerySet(models.QuerySet):
    def active(self) -> "CategoryQuerySet":
        return self.filter(active=True)


class Category(models.Model):
    """A kind of problem residents report, with its deadline (SLA).

    Names are in Vietnamese (the default), English and Khmer; the request's
    Accept-Language picks one (see backend.i18n.localized).
    """

    code = models.SlugField(max_length=50, unique=True)
    group = models.SlugField(max_length=50)
    name_vi = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    name_km = models.CharField(max_length=120, blank=True)
    description_vi = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    description_km = models.TextField(blank=True)
    keywords = models.CharField(max_length=300, blank=True, help_text="Comma-separated")
    default_priority = models.CharField(
        max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    sla_hours = models.PositiveIntegerField(help_text="Hours from report to expected resolution")
    attributes = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            "Extra questions, as Open311 attributes: [{code, datatype (string, number, datetime, "
            "text, singlevaluelist, multivaluelist), required, description, values: [{key, name}]}]"
        ),
    )
    sort_order = models.PositiveIntegerField(default=100)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.name_vi} ({self.code})"
