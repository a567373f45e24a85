"""The default search backend: SQLite FTS5 in its own file, no server.

``backend`` answers the search contract; ``documents`` turns documents into index rows and
``batches`` does so for a large reindex in other processes; ``storage`` holds the tables and the one
write transaction; ``snapshot`` keeps the bitmaps queries use for one index generation (``bitmaps``
builds and reads them); ``bm25`` scores and ranks the matches as FTS5 would.
"""

from search.embedded.backend import EmbeddedBackend

__all__ = ["EmbeddedBackend"]
