"""How categories appear in the API, in the reader's language."""

from pydantic import Field

from backend.catalogue.attributes import localized_questions
from backend.catalogue.models import Category
from backend.i18n import localized
from backend.schema_types import Out


class CategoryOut(Out):
    code: str
    group: str
    name: str
    description: str
    default_priority: str
    sla_hours: int
    attributes: list[dict] = Field(description="Extra questions (Open311 attribute form)")

    @classmethod
    def of(cls, category: Category) -> "CategoryOut":
        return cls(
            code=category.code,
            group=category.group,
            name=localized(category, "name"),
            description=localized(category, "description"),
            default_priority=category.default_priority,
            sla_hours=category.sla_hours,
            attributes=localized_questions(category),
        )


class CategoryRef(Out):
    code: str
    name: str

    @classmethod
    def of(cls, category: Category, language: str | None = None) -> "CategoryRef":
        return cls(code=category.code, name=localized(category, "name", language))
