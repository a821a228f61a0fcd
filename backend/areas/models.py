from functools import cached_property

import shapely
from django.db import models


class AreaLevel(models.Model):
    """One tier of an edition's hierarchy, largest first (depth 0).

    The hierarchy is data: Viet Nam since 2025 has two tiers (province,
    commune), before it three (province, district, commune); another country
    has its own. Nothing in the code names a level; each edition says what its
    levels are called, in every language the product speaks.
    """

    edition = models.CharField(max_length=40)
    code = models.SlugField(max_length=40, help_text="e.g. province, district, commune")
    depth = models.PositiveSmallIntegerField(help_text="0 for the largest areas")
    label_vi = models.CharField(max_length=100)
    label_en = models.CharField(max_length=100)
    label_km = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="area_level_code_unique"),
            models.UniqueConstraint(fields=["edition", "depth"], name="area_level_depth_unique"),
        ]
        ordering = ["edition", "depth"]

    def __str__(self) -> str:
        return f"{self.edition}: {self.code}"

    def label(self, language: str) -> str:
        return getattr(self, f"label_{language}", "") or self.label_vi


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
    level = models.CharField(max_length=40, help_text="Code of one of its edition's levels")
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


class AreaAncestry(models.Model):
    """The closure of the area tree: one row per (area, ancestor or itself).

    "Reports within an area" at any depth is one join on this table, and
    statistics group by the ancestor at any level. An administrative reform
    adds rows from each retired area to its successor's chain
    (`via_reform`), so figures across a reform compare like with like.
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="ancestries")
    ancestor = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="descendancies")
    ancestor_level = models.ForeignKey(AreaLevel, on_delete=models.CASCADE, related_name="+")
    distance = models.PositiveSmallIntegerField(help_text="0 for the area itself")
    via_reform = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "ancestor"], name="area_ancestry_unique")
        ]
        indexes = [models.Index(fields=["ancestor", "area"], name="area_descendants")]

    def __str__(self) -> str:
        return f"{self.area_id} within {self.ancestor_id}"


class Unit(models.Model):
    """A department that fixes things: a ward's People's Committee, a district's
    urban management office, a provincial department."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="units", help_text="Area it serves"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    active = models.BooleanField(default=True)
    is_triage = models.BooleanField(
        default=False,
        help_text="Takes what no routing rule covers in its area, to send on by hand",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """(area, category) -> unit. No category means any category in that area.

    Rules are looked up from the report's smallest area upward, so a commune
    rule beats its parent's, and the root area's rule is the last fallback.
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
