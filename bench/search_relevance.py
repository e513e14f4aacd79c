"""Measure search relevance on the judged catalog, through the buyer page's search service.

    python bench/search_relevance.py --backend db \\
        --products ../shared/data/catalog/products.jsonl.gz \\
        --queries ../shared/data/catalog/queries.tsv --labels ../shared/data/catalog/labels.tsv

Loads the products into a fresh marketplace database built by the migrations (a temporary
SQLite file unless `--database-url` names an empty database), installs the default synonym
list, indexes every product in the chosen backend, runs every query through
`marketplace.search.service.search` (what the buyer search page calls) and prints one line:

    ndcg@10=0.xxx recall@50=0.xxx ndcg@10_typo=0.xxx ndcg@10_synonym=0.xxx queries=N

With `--backend es` the index is Elasticsearch at `ELASTICSEARCH_URL`, or a test server
(`osmem-server`) started for the run when that is unset. Progress goes to standard error.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import catalog_data
from catalog_data import log

from marketplace.extensions import db
from marketplace.search import service
from marketplace.search.default_synonyms import install_default_synonyms
from marketplace.search.documents import iter_all_documents
from marketplace.search.types import SearchQuery

RESULTS_PER_QUERY = 50  # recall is measured at 50


@contextlib.contextmanager
def elasticsearch_url() -> Iterator[str]:
    """ELASTICSEARCH_URL, or a test server started for this run (stopped after it)."""
    if os.environ.get("ELASTICSEARCH_URL"):
        yield os.environ["ELASTICSEARCH_URL"]
        return
    from tests.search_servers import running_search_server

    with running_search_server() as url:
        log(f"started a test search server at {url}")
        yield url


def backend_settings(backend: str, url: str | None) -> dict[str, object]:
    if backend == "db":
        return {"SEARCH_BACKEND": "database"}
    return {
        "SEARCH_BACKEND": "elasticsearch",
        "ELASTICSEARCH_URL": url,
        "ELASTICSEARCH_INDEX": "relevance-bench",
        "ELASTICSEARCH_PLAIN_JSON": bool(os.environ.get("ELASTICSEARCH_PLAIN_JSON", "1") != "0"),
        "ELASTICSEARCH_TIMEOUT": 30.0,
    }


def run(args: argparse.Namespace, folder: Path, url: str | None) -> str:
    app = catalog_data.build_app(folder, args.database_url, **backend_settings(args.backend, url))
    with app.app_context():
        catalog_data.load_catalog(catalog_data.read_products(args.products))
        added = install_default_synonyms()
        db.session.commit()
        log(f"installed {added} default synonym rules")

        started = time.perf_counter()
        backend = service.get_backend()
        report = backend.reindex(iter_all_documents())
        db.session.commit()
        seconds = time.perf_counter() - started
        log(f"indexed {report.indexed} products in {backend.name} in {seconds:.1f} s")

        queries = catalog_data.read_queries(args.queries)
        labels = catalog_data.read_labels(args.labels)
        rankings: dict[str, list[int]] = {}
        degraded = 0
        started = time.perf_counter()
        for query in queries:
            results = service.search(SearchQuery(text=query.text, per_page=RESULTS_PER_QUERY))
            degraded += results.degraded
            rankings[query.query_id] = [hit.product_id for hit in results.hits]
            db.session.rollback()  # nothing to keep; start each search like a new request
        log(f"ran {len(queries)} queries in {time.perf_counter() - started:.1f} s")
        if degraded:
            log(f"WARNING: {degraded} searches were answered by the fallback backend")
        scores = catalog_data.score(rankings, queries, labels)
        db.session.remove()
        db.engine.dispose()
    return scores.line()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("db", "es"), default="db")
    parser.add_argument("--products", type=Path, default=catalog_data.PRODUCTS_FILE)
    parser.add_argument("--queries", type=Path, default=catalog_data.QUERIES_FILE)
    parser.add_argument("--labels", type=Path, default=catalog_data.LABELS_FILE)
    parser.add_argument(
        "--database-url", default=None, help="an empty database (default: a temporary SQLite file)"
    )
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the app logs every job at INFO

    print(run_on_backend(args, "search-relevance-", run), flush=True)


def run_on_backend(
    args: argparse.Namespace,
    prefix: str,
    run: Callable[[argparse.Namespace, Path, str | None], str],
) -> str:
    """Run a bench in a scratch folder, with an Elasticsearch URL for `--backend es`."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        if args.backend != "es":
            return run(args, Path(tmp), None)
        with elasticsearch_url() as url:
            return run(args, Path(tmp), url)


if __name__ == "__main__":
    main()
