"""Write the LHEO XML Schema from the language's official definition (GeLaBa "GML" file).

LHEO is defined once, in `definition/lheo-gml.xml` of the Carif-Oref network's repository
(lheo/lheo-schema); its DTD, XSD and documentation are generated from it. This script does the
XSD part in Python (the official tool is an XSLT sheet of the GeLaBa project, not published with
the definition), so the schema of tpj/training/lheo/ can be rebuilt and checked:

    python scripts/lheo_gml_to_xsd.py path/to/lheo-gml.xml > tpj/training/lheo/lheo-2.3.xsd

Every `definition` becomes a global element of the LHEO namespace; its content follows the
definition's element type, with the cardinalities the official documentation gives
(`min`/`max` absent: 1; `max="0"`: unbounded) and its attributes. See PROVENANCE.md.
"""

import sys
import xml.etree.ElementTree as ET

GML = "{http://www.gelaba.org/gml/1.2}"
XS = "http://www.w3.org/2001/XMLSchema"
ET.register_namespace("xs", XS)

ATTRIBUTE_TYPES = {
    "attribute_text": "xs:string",
    "attribute_id": "xs:ID",
    "attribute_idref": "xs:IDREF",
    "attribute_uri": "xs:anyURI",
    "attribute_datetime": "xs:dateTime",
}


def _xs(parent, tag, **attributes):
    return ET.SubElement(parent, f"{{{XS}}}{tag}", {k.replace("_", ":"): v for k, v in attributes.items()})


def _occurs(node, default_min="1", default_max="1") -> dict:
    minimum = node.get("min", default_min)
    maximum = node.get("max", default_max)
    occurs = {}
    if minimum != "1":
        occurs["minOccurs"] = minimum
    if maximum == "0":
        occurs["maxOccurs"] = "unbounded"
    elif maximum != "1":
        occurs["maxOccurs"] = maximum
    return occurs


def _simple_type(schema, name, kind, dicts):
    """A named simple type for the text of element `name`; returns its qualified name."""
    simple = _xs(schema, "simpleType", name=f"{name}-type")
    if kind.tag == GML + "basic_text":
        restriction = _xs(simple, "restriction", base="xs:string")
        if kind.get("lgmin", "0") != "0":
            _xs(restriction, "minLength", value=kind.get("lgmin"))
        if kind.get("lgmax", "0") != "0":
            _xs(restriction, "maxLength", value=kind.get("lgmax"))
    elif kind.tag == GML + "basic_int":
        restriction = _xs(simple, "restriction", base="xs:integer")
        _xs(restriction, "minInclusive", value=kind.get("vmin"))
        _xs(restriction, "maxInclusive", value=kind.get("vmax"))
    elif kind.tag == GML + "basic_date":
        # AAAAMMJJ; 00000000 for an unknown date, AAAAMM00 for a month, AAAA0000 for a year.
        restriction = _xs(simple, "restriction", base="xs:string")
        _xs(restriction, "pattern", value="[0-9]{8}")
    elif kind.tag == GML + "basic_key":
        restriction = _xs(simple, "restriction", base="xs:string")
        for entry in dicts[kind.get("ref")].findall(GML + "entry"):
            _xs(restriction, "enumeration", value=entry.find(GML + "key").get("val"))
    else:
        raise ValueError(f"{name}: unknown type {kind.tag}")
    return f"lheo:{name}-type"


def _attributes(parent, definition):
    for attribute in definition.findall(GML + "attribute"):
        kind = attribute.find(GML + "attribute_type")[0]
        _xs(
            parent,
            "attribute",
            name=attribute.get("name"),
            type=ATTRIBUTE_TYPES[kind.tag.removeprefix(GML)],
            use="required" if attribute.get("type") == "required" else "optional",
        )


def build(source) -> ET.ElementTree:
    root = ET.parse(source).getroot()
    namespace = root.find(GML + "namespace").get("href")
    dicts = {d.get("name"): d for d in root.findall(GML + "dict")}
    schema = ET.Element(
        f"{{{XS}}}schema",
        {"targetNamespace": namespace, "elementFormDefault": "qualified", "version": root.get("version")},
    )
    schema.set("xmlns:lheo", namespace)
    for definition in root.findall(GML + "definition"):
        name = definition.get("name")
        content = definition.find(GML + "element_type")[0]
        element = _xs(schema, "element", name=name)
        if content.tag in (GML + "sequence", GML + "choice"):
            complex_type = _xs(element, "complexType")
            if content.tag == GML + "sequence":
                group = _xs(complex_type, "sequence")
                for child in content.findall(GML + "element"):
                    _xs(group, "element", ref=f"lheo:{child.get('name')}", **_occurs(child))
            else:
                group = _xs(complex_type, "choice", **_occurs(content, default_min="0", default_max="0"))
                for child in content.findall(GML + "choice_element"):
                    _xs(group, "element", ref=f"lheo:{child.get('name')}")
            _attributes(complex_type, definition)
        elif content.tag == GML + "basic_any":
            complex_type = _xs(element, "complexType", mixed="true")
            group = _xs(complex_type, "sequence")
            _xs(group, "any", minOccurs="0", maxOccurs="unbounded", processContents="lax", namespace="##any")
            _attributes(complex_type, definition)
        else:
            type_name = _simple_type(schema, name, content, dicts)
            complex_type = _xs(element, "complexType")
            extension = _xs(_xs(complex_type, "simpleContent"), "extension", base=type_name)
            _attributes(extension, definition)
    ET.indent(schema, space="  ")
    return ET.ElementTree(schema)


if __name__ == "__main__":
    tree = build(sys.argv[1])
    sys.stdout.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    sys.stdout.write(
        "<!-- LHEO 2.3 (http://lheo.gouv.fr/2.3), generated by scripts/lheo_gml_to_xsd.py from the official"
        " definition lheo-gml.xml: see PROVENANCE.md beside this file. -->\n"
    )
    sys.stdout.write(ET.tostring(tree.getroot(), encoding="unicode"))
    sys.stdout.write("\n")
