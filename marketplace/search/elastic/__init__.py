"""The Elasticsearch search backend (official `elasticsearch` client, 9.x).

`backend.py` manages the versioned indices behind the alias and the bulk writes, `mapping.py`
the index settings and documents, `query.py` and `text.py` the request, `results.py` the answer,
`client.py` the connection and the error translation to `SearchUnavailable`.
"""

from marketplace.search.elastic.backend import ElasticsearchBackend

__all__ = ["ElasticsearchBackend"]
