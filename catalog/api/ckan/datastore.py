"""CKAN's DataStore actions (`datastore_search`, `datastore_search_sql`), answered by Terbuka's datastore."""

from typing import Any

from catalog.api.ckan.actions import Call, action
from catalog.datastore import ckan as datastore_ckan


def _answer(name: str) -> None:
    function = datastore_ckan.ACTIONS[name]

    def run(call: Call) -> dict[str, Any]:
        return function(call.session, call.params.values)

    run.__doc__ = function.__doc__
    action(name)(run)


for _name in datastore_ckan.ACTIONS:
    _answer(_name)
