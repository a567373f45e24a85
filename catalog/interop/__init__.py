"""The published catalogue in other tools' languages: CKAN's dicts, DCAT-AP, data.json, Data Packages,
schema.org and Atom. Plain builders over the published data; the routes live in ``catalog/api/ckan/`` and
``catalog/api/dcat/``. Nothing here shows a draft, a submitted or a returned release."""
