"""Refusing XML that expands or reaches outside itself before any RDF parser sees it.

A DCAT catalogue in RDF/XML never needs a document type definition. One that declares entities can
expand a few kilobytes into gigabytes (billion laughs, quadratic blow-up) or pull in files and URLs
(external entities); rdflib's parser would expand them. The document is first read by expat, which
stops at an internal subset, an external DTD or an entity declaration, in one pass that builds nothing.
A bare ``<!DOCTYPE html>`` declares nothing and is left to the parser, which says it is no RDF.
"""

from __future__ import annotations

from xml.parsers import expat


class UnsafeXml(ValueError):
    """The document declares a DTD or entities."""


def _doctype(_name: str, system_id: str | None, _public_id: str | None, has_internal_subset: bool) -> None:
    if has_internal_subset or system_id:
        raise UnsafeXml


def _entity(*_args: object) -> None:
    raise UnsafeXml


def refuse_unsafe_xml(content: bytes) -> None:
    """Raise ``UnsafeXml`` when ``content`` declares a document type definition or entities."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _doctype
    parser.EntityDeclHandler = _entity
    try:
        parser.Parse(content, True)
    except UnsafeXml as exc:
        raise UnsafeXml(
            "refused unparsed: it declares a document type definition (its entities could expand without "
            "bound or read local files); a DCAT catalogue needs none, serve it without one"
        ) from exc
    except expat.ExpatError:
        return  # not well-formed: rdflib's parser says why
