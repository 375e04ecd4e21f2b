"""The project's OpenAPI schema, generated in-process (same generator as /api/v1/schema/)."""

import functools
import json

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@functools.cache
def openapi_schema() -> dict:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


def operations() -> list[tuple[str, str]]:
    """Every (METHOD, path template) declared in the schema."""
    return [
        (method.upper(), path) for path, item in openapi_schema()["paths"].items() for method in HTTP_METHODS if method in item
    ]
