"""GeoReport v2 output: the same data as JSON or as XML (built with xml.etree), UTF-8.

JSON is the data as it is. XML mirrors it: an object's keys become child elements, a list
becomes one child per item named after its parent (<services><service/>..., <attributes>
<attribute/>...), booleans are "true"/"false" and a missing value is an empty element.
"""

import json
import re
from xml.etree import ElementTree as ET  # noqa: S405 - we only build XML, never parse it here

from django.http import HttpResponse

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")

# The element name of one item of each list, as the spec's XML examples write them.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 cannot carry at all; dropped from text rather than breaking the document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _fill(element, value):
    if isinstance(value, dict):
        for name, item in value.items():
            _fill(ET.SubElement(element, name), item)
    elif isinstance(value, list | tuple):
        tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    elif value is None:
        return
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = _NOT_XML.sub("", str(value))


def to_xml(root, data):
    element = ET.Element(root)
    _fill(element, data)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def to_json(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(data, fmt, root, status=200):
    """`root` names the XML document element (`services`, `service_requests`, ...)."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, data), content_type=XML_TYPE, status=status)
    return HttpResponse(to_json(data), content_type=JSON_TYPE, status=status)


def errors(fmt, status, *descriptions):
    """The spec's error body: a list of {code, description}, <errors><error>... in XML."""
    body = [{"code": status, "description": str(d)} for d in descriptions]
    return render(body, fmt, "errors", status=status)
