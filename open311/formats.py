"""The two formats of GeoReport v2: JSON, and XML in the spec's element names."""

from typing import cast
from xml.etree.ElementTree import Element, SubElement, tostring

from django.http import HttpResponse

# Exactly these: validators compare the strings. JSON is UTF-8 by its RFC, and
# the XML says so in its declaration.
CONTENT_TYPES = {"json": "application/json", "xml": "text/xml"}


def _xml_value(parent: Element, name: str, value: object) -> None:
    node = SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(node, key, item)
    elif isinstance(value, list):
        item_name = {"attributes": "attribute", "values": "value", "endpoints": "endpoint",
                     "formats": "format"}.get(name, "item")  # fmt: skip
        for item in value:
            _xml_value(node, item_name, item)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


class Open311Error(Exception):
    """A refusal in the spec's shape: raised anywhere under /open311/, answered
    by the views' `endpoint` wrapper in the request's format."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def render(data: object, fmt: str, root: str, item: str | None, status: int = 200) -> HttpResponse:
    """`root`/`item`: the spec's XML element names, e.g. services/service."""
    if fmt == "json":
        import json

        body = json.dumps(data, ensure_ascii=False).encode()
    else:
        top = Element(root)
        if item is None:
            for key, value in cast(dict, data).items():
                _xml_value(top, key, value)
        else:
            for entry in cast(list, data):
                _xml_value(top, item, entry)
        body = (
            b'<?xml version="1.0" encoding="utf-8"?>' + tostring(top, encoding="unicode").encode()
        )
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(
    fmt: str, status: int, description: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    """The spec's error list; each code is the HTTP status, a number, as in
    the spec's examples (never one of our word codes)."""
    response = render(
        [{"code": status, "description": description}], fmt, "errors", "error", status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
