"""The published catalogue as files other tools read: DCAT-AP, data.json, Data Packages, schema.org, Atom feeds."""
