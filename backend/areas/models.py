from functools import cached_property

import shapely
from django.db import models


class Level(models.TextChoices):
    PROVINCE = "province", "Province"
    DISTRICT = "district", "District"
    COMMUNE = "commune", "Commune or ward"


class ActiveAreaQuerySet(models.QuerySet):
    def active(self) -> "ActiveAreaQuerySet":
        return self.filter(retired_at__isnull=True)


class Area(models.Model):
    """An administrative area of one boundary edition.

    Areas are never deleted: a newer edition (an administrative reform) retires
    the old ones, which stay so that old reports keep pointing at what was true
    when they were routed.
    """

    code = models.CharField(max_length=20, blank=True, help_text="Official (GSO) code")
    name = models.CharField(max_length=200, help_text="Official Vietnamese name")
    short_name = models.CharField(max_length=200, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    edition = models.CharField(max_length=40, help_text="Boundary set this area comes from")
    geometry_wkb = models.BinaryField(help_text="Polygon or MultiPolygon, WGS84 lon/lat, WKB")
    properties = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ActiveAreaQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "level", "code"],
                condition=~models.Q(code=""),
                name="area_code_unique_in_edition",
            )
        ]
        indexes = [models.Index(fields=["level", "retired_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code or '-'}, {self.edition})"

    @cached_property
    def geometry(self) -> shapely.Geometry:
        return shapely.from_wkb(bytes(self.geometry_wkb))

    def ancestors_and_self(self) -> list["Area"]:
        chain: list[Area] = []
        area: Area | None = self
        while area is not None:
            chain.append(area)
            area = area.parent
        return chain


class Unit(models.Model):
    """A department that fixes things, e.g. a district's urban management office."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="units", help_text="Area it serves"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """(area, category) -> unit. No category means any category in that area.

    Rules are looked up from the report's smallest area upward, so a commune
    rule beats its district's, and a province rule is the last fallback.
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="routing_rules")
    category = models.ForeignKey(
        "catalogue.Category", null=True, blank=True, on_delete=models.CASCADE
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="routing_rules")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "category"], name="routing_rule_unique_per_area_category"
            ),
            models.UniqueConstraint(
                fields=["area"],
                condition=models.Q(category__isnull=True),
                name="routing_rule_one_default_per_area",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} / {self.category or 'any category'} -> {self.unit}"
