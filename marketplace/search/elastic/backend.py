"""`ElasticsearchBackend`: versioned indices behind an alias, bulk indexing, search and suggest.

The alias (ELASTICSEARCH_INDEX) is what searches read. `reindex()` builds a new versioned index
beside the live one, loads it, and moves the alias in one atomic `_aliases` call, so searches
answer throughout. While it builds, a second alias (`<alias>-building`) names the new index, and
`index()`/`delete()` write to both, so changes made during a rebuild are not lost.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError, helpers

from marketplace.search.analysis import Vocabulary
from marketplace.search.elastic import mapping
from marketplace.search.elastic.client import build_client, unavailable_on_failure
from marketplace.search.elastic.query import (
    RELAX_BELOW,
    build_search,
    build_suggest,
    match_levels,
)
from marketplace.search.elastic.results import read_search, read_suggest
from marketplace.search.elastic.text import (
    VocabularyCache,
    analyse_text,
    read_vocabulary,
    vocabulary_request,
)
from marketplace.search.types import (
    MAX_PAGE,
    MAX_PER_PAGE,
    IndexReport,
    ProductDocument,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
)

log = logging.getLogger(__name__)

BULK_TIMEOUT_FLOOR = 30.0  # seconds: a bulk request of a few hundred documents may take a while


class ElasticsearchBackend:
    """The production search backend (DESIGN.md §5); never raises a raw transport error."""

    name = "elasticsearch"

    def __init__(
        self,
        client: Elasticsearch,
        alias: str,
        batch_size: int = 500,
        bulk_timeout: float = BULK_TIMEOUT_FLOOR,
    ) -> None:
        self.client = client
        self.alias = alias
        self.building_alias = f"{alias}-building"
        self.batch_size = batch_size
        self.bulk_client = client.options(request_timeout=bulk_timeout)
        self.vocabulary = VocabularyCache(self._fetch_vocabulary)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ElasticsearchBackend:
        """Built from the app's settings; connects lazily, on the first request."""
        timeout = float(config.get("ELASTICSEARCH_TIMEOUT", 2.0))
        return cls(
            build_client(config),
            alias=str(config.get("ELASTICSEARCH_INDEX", "marketplace-products")),
            batch_size=int(config.get("SEARCH_INDEX_BATCH", 500)),
            bulk_timeout=max(BULK_TIMEOUT_FLOOR, timeout * 10),
        )

    # --- indices and aliases ------------------------------------------------------------------

    def _new_index_name(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        return f"{self.alias}-{stamp}-{secrets.token_hex(3)}"

    def _create_index(self, name: str, loading: bool = False) -> None:
        """A versioned index with our settings; while `loading`, no refreshes and no replicas."""
        settings = dict(mapping.SETTINGS)
        settings["max_result_window"] = MAX_PAGE * MAX_PER_PAGE
        if loading:
            settings.update(refresh_interval="-1", number_of_replicas=0)
        self.bulk_client.indices.create(index=name, settings=settings, mappings=mapping.MAPPINGS)

    def _indices_behind(self, *aliases: str) -> dict[str, set[str]]:
        """alias -> the indices it names (missing aliases map to an empty set)."""
        found: dict[str, set[str]] = {alias: set() for alias in aliases}
        response = self.client.options(ignore_status=404).indices.get_alias(name=list(aliases))
        for index, entry in response.body.items():
            if not isinstance(entry, dict):
                continue  # the "error"/"status" keys of a partly missing answer
            for alias in entry.get("aliases", {}):
                if alias in found:
                    found[alias].add(index)
        return found

    def _ensure_alias(self) -> set[str]:
        """The live indices; on a fresh cluster, create the first one behind the alias."""
        live = self._indices_behind(self.alias)[self.alias]
        if live:
            return live
        name = self._new_index_name()
        self._create_index(name)
        self.client.indices.update_aliases(actions=[{"add": {"index": name, "alias": self.alias}}])
        return {name}

    def _write_targets(self) -> list[str]:
        """Where changes go: the live index and, during a rebuild, the index being built."""
        self._ensure_alias()
        found = self._indices_behind(self.alias, self.building_alias)
        return sorted(found[self.alias] | found[self.building_alias])

    # --- writing ------------------------------------------------------------------------------

    def index(self, documents: Sequence[ProductDocument]) -> IndexReport:
        """Add or replace these documents; refused ones are reported per product in `errors`."""
        report = IndexReport()
        if not documents:
            return report
        with unavailable_on_failure("index products"):
            targets = self._write_targets()
            actions = (
                {
                    "_op_type": "index",
                    "_index": target,
                    "_id": str(document.product_id),
                    "_source": mapping.document_body(document),
                }
                for document in documents
                for target in targets
            )
            report = self._bulk(actions, refresh=True)
        self.vocabulary.forget()
        return report

    def _bulk(self, actions: Iterable[dict[str, Any]], **bulk_options: Any) -> IndexReport:
        """Stream actions in batches; each refused document is reported, not raised.
        `indexed` counts the products the index holds afterwards (once, whatever the targets)."""
        stored: set[int] = set()
        errors: dict[int, str] = {}
        for ok, item in helpers.streaming_bulk(
            self.bulk_client,
            actions,
            chunk_size=self.batch_size,
            raise_on_error=False,
            raise_on_exception=True,
            max_retries=2,
            **bulk_options,
        ):
            operation, result = next(iter(item.items()))
            product_id = int(result.get("_id", 0))
            # A rebuild's `create` that meets a newer copy, written meanwhile by index(), keeps it.
            if ok or (operation == "create" and result.get("status") == 409):
                stored.add(product_id)
            else:
                errors[product_id] = _bulk_error(result)
        return IndexReport(indexed=len(stored - set(errors)), errors=errors)

    def delete(self, product_ids: Sequence[int]) -> int:
        """Remove these products from the live index (and a rebuild's); missing ones are fine."""
        if not product_ids:
            return 0
        removed: set[int] = set()
        refused: dict[str, str] = {}
        with unavailable_on_failure("delete products"):
            targets = self._write_targets()
            actions = (
                {"_op_type": "delete", "_index": target, "_id": str(product_id)}
                for product_id in product_ids
                for target in targets
            )
            for ok, item in helpers.streaming_bulk(
                self.bulk_client,
                actions,
                chunk_size=self.batch_size,
                raise_on_error=False,
                raise_on_exception=True,
                refresh=True,
            ):
                result = item["delete"]
                if ok and result.get("result") == "deleted":
                    removed.add(int(result["_id"]))
                elif not ok and result.get("status") != 404:
                    refused[str(result.get("_id"))] = _bulk_error(result)
        self.vocabulary.forget()
        if refused:  # the products would stay findable: keep their outbox rows for a retry
            raise SearchUnavailable(f"Elasticsearch refused to delete products: {refused}")
        return len(removed)

    def reindex(self, documents: Iterable[ProductDocument]) -> IndexReport:
        """Build a new index from these documents and switch the alias to it atomically.

        Searches keep reading the old index until the switch; the old index is then dropped.
        On failure the half-built index is removed and the live one is left as it was.
        """
        with unavailable_on_failure("rebuild the index"):
            self._drop_abandoned_builds()
            name = self._new_index_name()
            self._create_index(name, loading=True)
            try:
                self.client.indices.update_aliases(
                    actions=[{"add": {"index": name, "alias": self.building_alias}}]
                )
                report = self._load(name, documents)
                self._publish(name)
                self.vocabulary.forget()
            except Exception:
                self.client.options(ignore_status=404).indices.delete(index=name)
                raise
        return report

    def _load(self, name: str, documents: Iterable[ProductDocument]) -> IndexReport:
        """Bulk-create every document; `create` keeps a newer copy that index() wrote meanwhile."""
        actions = (
            {
                "_op_type": "create",
                "_index": name,
                "_id": str(document.product_id),
                "_source": mapping.document_body(document),
            }
            for document in documents
        )
        report = self._bulk(actions)
        self.bulk_client.indices.put_settings(
            index=name, settings={"index": {"refresh_interval": None, "number_of_replicas": None}}
        )
        self.bulk_client.indices.refresh(index=name)
        return report

    def _publish(self, name: str) -> None:
        """Move the alias to `name` in one atomic call, then drop the indices it left."""
        previous = self._indices_behind(self.alias)[self.alias]
        actions: list[dict[str, Any]] = [
            {"remove": {"index": index, "alias": self.alias}} for index in sorted(previous)
        ]
        actions += [
            {"add": {"index": name, "alias": self.alias}},
            {"remove": {"index": name, "alias": self.building_alias}},
        ]
        self.client.indices.update_aliases(actions=actions)
        for index in sorted(previous):
            self.client.options(ignore_status=404).indices.delete(index=index)

    def _drop_abandoned_builds(self) -> None:
        """Indices left behind the building alias by a rebuild that crashed."""
        found = self._indices_behind(self.alias, self.building_alias)
        for index in sorted(found[self.building_alias] - found[self.alias]):
            log.warning("search: dropping the abandoned rebuild %s", index)
            self.client.options(ignore_status=404).indices.delete(index=index)

    # --- reading ------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        """One page of hits with facets, highlights and did-you-mean suggestions."""
        with unavailable_on_failure("search"):
            vocabulary = self.vocabulary.get() if query.text.strip() else None
            known = vocabulary.terms.keys() if vocabulary else frozenset()
            analysed = analyse_text(query.text, vocabulary)
            for level in match_levels(analysed) if not analysed.is_empty else [None]:
                plan = build_search(query, analysed, known, level)
                response = self.client.search(index=self.alias, body=plan.body)
                if response.body["hits"]["total"]["value"] >= RELAX_BELOW:
                    break
        return read_search(response.body, query, plan, backend=self.name)

    def _fetch_vocabulary(self) -> Vocabulary:
        response = self.client.search(index=self.alias, body=vocabulary_request())
        return read_vocabulary(response.body)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Completions of what the buyer has typed: titles and category names, best sellers
        first, then titles containing a word that starts with the last word typed."""
        body = build_suggest(prefix, limit)
        if body is None:
            return []
        with unavailable_on_failure("suggest"):
            response = self.client.search(index=self.alias, body=body)
        return read_suggest(response.body, limit)

    def indexed_versions(self) -> dict[int, str]:
        """Product id -> document version of everything behind the alias (a scroll)."""
        versions: dict[int, str] = {}
        with unavailable_on_failure("list the indexed documents"):
            for hit in self._scan_versions():
                versions[int(hit["_id"])] = str(hit["_source"].get("version", ""))
        return versions

    def _scan_versions(self) -> Iterator[dict[str, Any]]:
        try:
            yield from helpers.scan(
                self.bulk_client,
                index=self.alias,
                query={"query": {"match_all": {}}, "_source": ["version"]},
                size=1000,
            )
        except NotFoundError:
            return  # nothing was ever indexed

    def close(self) -> None:
        self.client.close()


def _bulk_error(result: Mapping[str, Any]) -> str:
    """A one-line reason from a bulk item's error."""
    error = result.get("error")
    if isinstance(error, Mapping):
        reason = f"{error.get('type')}: {error.get('reason')}"
        cause = error.get("caused_by")
        if isinstance(cause, Mapping) and cause.get("reason"):
            reason += f" ({cause.get('reason')})"
        return reason
    return str(error or f"status {result.get('status')}")
