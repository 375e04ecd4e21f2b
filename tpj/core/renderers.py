"""JSON renderer of the hot public read endpoints (search and map API): orjson encodes in
C what DRF's JSONRenderer encodes through the standard library, with the same compact,
non-ASCII output. The other renderers of the API (browsable form) stay as configured."""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder

_ENCODER = JSONEncoder()


class FastJSONRenderer(JSONRenderer):
    """DRF's JSONRenderer through orjson; what orjson does not know (lazy translations,
    Decimal…) goes through DRF's own encoder. An indented rendering (`; indent=` in
    Accept) is left to DRF."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        return orjson.dumps(data, default=_ENCODER.default, option=orjson.OPT_NON_STR_KEYS)


def fast_json_renderers() -> list:
    """The API's configured renderers, its JSON one replaced by `FastJSONRenderer`."""
    return [FastJSONRenderer if r is JSONRenderer else r for r in api_settings.DEFAULT_RENDERER_CLASSES]
