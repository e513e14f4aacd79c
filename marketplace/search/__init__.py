"""Product search: one contract (`types.SearchBackend`), a database backend and an
Elasticsearch backend, fed from product changes through the search outbox."""
