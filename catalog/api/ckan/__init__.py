"""CKAN's Action API (``/api/3/action/NAME`` and ``/api/action/NAME``), so CKAN clients work unchanged."""
