"""The datastore's HTTP routes: table queries, exports and read-only SQL."""
