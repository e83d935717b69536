"""The API's JSON parser: Ninja's, plus a refusal of text no database can store."""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser

from openrd.core.text_safety import check_value


class SafeJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        check_value(data, ["body"])
        return cast(dict[str, Any], data)
