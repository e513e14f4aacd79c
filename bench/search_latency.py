"""Measure search latency and indexing throughput at catalog scale.

    python bench/search_latency.py --backend db --products 200000

Builds a fresh marketplace database with the migrations (a temporary SQLite file unless
`--database-url` names an empty database), loads `--products` live listings from the judged
catalog (the 20,000 products, then varied copies of them: other ids, titles, prices, ratings
and sales), installs the default synonym list and times one full reindex of the chosen backend
(products/second). Then it replays buyer sessions through `marketplace.search.service.search`,
as the search page does: a text query from the judged query list with facets and a sort, then
a click on one of the facets it returned (a filter), sometimes a second filter or the next
page. Every request is timed inside the process (server-side: no HTTP), one at a time.
Then, timed apart, category pages: a department, a category or a sub-category with no text,
in some sort, sometimes in stock only, sometimes the next page (`--category-requests`).

Prints one line on standard output:

    backend=db products=N index_per_second=X p50_ms=A p95_ms=B p99_ms=C qps=Q requests=R \
        cpu_p50_ms=D cpu_p95_ms=E cpu_p99_ms=F category_pages_p50_ms=G \
        category_pages_p95_ms=H category_pages_p99_ms=I category_pages_cpu_p95_ms=J \
        category_pages=M

The `cpu_` figures are the CPU time each request took, in this process and (with a database
server on this machine) in the database's server process: nearly what the wall-clock figures
would be on an idle machine (the waits between the two are left out), and a figure that other
work on a shared machine moves far less. They are left out where the operating system does
not report per-thread CPU time (no `/proc`).
"""

from __future__ import annotations

import argparse
import gc
import logging
import random
import statistics
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import catalog_data
from catalog_data import log
from search_relevance import backend_settings, run_on_backend
from sqlalchemy import select, text

from marketplace.catalog.models import Category
from marketplace.extensions import db
from marketplace.search import service
from marketplace.search.database import DatabaseBackend
from marketplace.search.default_synonyms import install_default_synonyms
from marketplace.search.documents import iter_all_documents
from marketplace.search.types import PRICE_BUCKETS, SearchQuery, SearchResults, Sort

WARM_UP = 30
YOUNG_COLLECTION_THRESHOLD = 20_000  # as in wsgi.py
SORTS = (Sort.PRICE_ASC, Sort.PRICE_DESC, Sort.NEWEST, Sort.RATING, Sort.BEST_SELLING)
BUCKETS = {bucket.key: bucket for bucket in PRICE_BUCKETS}


def with_filter(query: SearchQuery, facet: str, value: str) -> SearchQuery:
    """The query a buyer gets by clicking this facet value."""
    if facet == "category":
        return replace(query, category_path=value, page=1)
    if facet == "vendor":
        return replace(query, vendor_slugs=(value,), page=1)
    if facet == "price":
        bucket = BUCKETS[value]
        return replace(
            query, price_min_minor=bucket.min_minor, price_max_minor=bucket.max_minor, page=1
        )
    if facet == "rating":
        return replace(query, min_rating=int(value), page=1)
    name = facet.removeprefix("attr:")
    return replace(query, attributes={**query.attributes, name: (value,)}, page=1)


def click_a_facet(query: SearchQuery, results: SearchResults, rng: random.Random) -> SearchQuery:
    choices = [
        (facet.name, value.value)
        for facet in results.facets
        for value in facet.values[:5]
        if value.count and not value.selected
    ]
    if not choices:
        return replace(query, in_stock=True)
    return with_filter(query, *rng.choice(choices))


def _cpu_nanoseconds(pid: int | None) -> int | None:
    """CPU time this thread (and the process `pid`, when given: read from /proc while it
    waits for the next request, so its count is up to date) has used."""
    used = time.thread_time_ns()
    if pid is not None:
        try:
            used += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
    return used


def _server_pid() -> int | None:
    """The database server process answering this session, when it runs on this machine."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None  # SQLite runs in this process
    pid = int(db.session.execute(text("SELECT pg_backend_pid()")).scalar_one())
    return pid if Path(f"/proc/{pid}/schedstat").exists() else None


class Timer:
    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []

    def search(self, query: SearchQuery) -> SearchResults:
        pid = _server_pid()
        cpu_before = _cpu_nanoseconds(pid)
        started = time.perf_counter()
        results = service.search(query)
        self.seconds.append(time.perf_counter() - started)
        cpu_after = _cpu_nanoseconds(pid)
        if cpu_before is not None and cpu_after is not None:
            self.cpu_seconds.append((cpu_after - cpu_before) / 1e9)
        db.session.rollback()  # end the request's transaction, as a request would
        return results


def sessions(texts: list[str], rng: random.Random) -> Iterator[SearchQuery | str]:
    """Buyer sessions: queries to run, with "click" markers where a facet is chosen."""
    while True:
        sort = Sort.RELEVANCE if rng.random() < 0.5 else rng.choice(SORTS)
        yield SearchQuery(text=rng.choice(texts), sort=sort, in_stock=rng.random() < 0.2)
        yield "click"
        if rng.random() < 0.5:
            yield "click"
        if rng.random() < 0.3:
            yield "next page"


def replay(timer: Timer, texts: list[str], requests: int, rng: random.Random) -> None:
    query: SearchQuery | None = None
    results: SearchResults | None = None
    for step in sessions(texts, rng):
        if len(timer.seconds) >= requests:
            return
        if isinstance(step, SearchQuery):
            query = step
        elif step == "click" and query is not None and results is not None:
            query = click_a_facet(query, results, rng)
        elif step == "next page" and query is not None and results is not None:
            if results.total <= query.per_page * query.page:
                continue
            query = replace(query, page=query.page + 1)
        assert query is not None
        results = timer.search(query)


def category_sessions(paths: list[str], rng: random.Random) -> Iterator[SearchQuery | str]:
    """Buyers browsing: a category page (each level of the tree equally often) in some sort,
    sometimes in stock only, sometimes followed by the next page."""
    levels: dict[int, list[str]] = {}
    for path in paths:
        levels.setdefault(path.count("/"), []).append(path)
    while True:
        sort = Sort.RELEVANCE if rng.random() < 0.5 else rng.choice(SORTS)
        path = rng.choice(levels[rng.choice(sorted(levels))])
        yield SearchQuery(category_path=path, sort=sort, in_stock=rng.random() < 0.2)
        if rng.random() < 0.3:
            yield "next page"


def browse(timer: Timer, paths: list[str], requests: int, rng: random.Random) -> None:
    query: SearchQuery | None = None
    for step in category_sessions(paths, rng):
        if len(timer.seconds) >= requests:
            return
        if isinstance(step, SearchQuery):
            query = step
        elif query is not None:
            query = replace(query, page=query.page + 1)
        assert query is not None
        timer.search(query)


class FullCollections:
    """The pauses of the garbage collector's full (generation 2) collections, in ms."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((time.perf_counter() - self._started) * 1000)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(args: argparse.Namespace, folder: Path, url: str | None) -> str:
    settings = backend_settings(args.backend, url)
    app = catalog_data.build_app(folder, args.database_url, **settings)
    with app.app_context():
        catalog_data.load_catalog(catalog_data.read_products(args.catalog), total=args.products)
        install_default_synonyms()
        db.session.commit()

        started = time.perf_counter()
        backend = service.get_backend()
        report = backend.reindex(iter_all_documents())
        db.session.commit()
        if isinstance(backend, DatabaseBackend):
            backend.settle()  # as `flask search reindex` does after its commit
        index_seconds = time.perf_counter() - started
        log(f"indexed {report.indexed} products in {index_seconds:.1f} s")

        texts = [q.text for q in catalog_data.read_queries(args.queries)]
        if args.freeze_gc:  # as the WSGI entry does once the app is built (see wsgi.py)
            gc.collect()
            gc.freeze()
            gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
        collections = FullCollections()
        gc.callbacks.append(collections)
        rng = random.Random(args.seed)
        replay(Timer(), texts, WARM_UP, rng)
        collections.pauses.clear()
        timer = Timer()
        started = time.perf_counter()
        replay(timer, texts, args.requests, rng)
        elapsed = time.perf_counter() - started
        ms = [s * 1000 for s in timer.seconds]
        cpu_ms = [s * 1000 for s in timer.cpu_seconds]
        log(f"mean {statistics.fmean(ms):.1f} ms, max {max(ms):.1f} ms")
        pauses = ", ".join(f"{p:.0f}" for p in collections.pauses) or "none"
        log(f"full garbage collections during the mixed load (ms): {pauses}")
        gc.callbacks.remove(collections)

        # Apart from the mixed load above, so its figures stay comparable with earlier runs.
        paths = sorted(db.session.scalars(select(Category.path)))
        browsing = Timer()
        browse(browsing, paths, WARM_UP, random.Random(args.seed + 1))
        browsing = Timer()
        browse(browsing, paths, args.category_requests, random.Random(args.seed + 2))
        category_ms = [s * 1000 for s in browsing.seconds]
        category_cpu_ms = [s * 1000 for s in browsing.cpu_seconds]
        log(f"category pages: mean {statistics.fmean(category_ms):.1f} ms")
        db.session.remove()
        db.engine.dispose()
    line = (
        f"backend={args.backend} products={args.products} "
        f"index_per_second={report.indexed / index_seconds:.0f} "
        f"p50_ms={percentile(ms, 0.50):.1f} p95_ms={percentile(ms, 0.95):.1f} "
        f"p99_ms={percentile(ms, 0.99):.1f} qps={len(ms) / elapsed:.1f} requests={len(ms)}"
    )
    if args.backend == "db" and len(cpu_ms) == len(ms):
        line += (
            f" cpu_p50_ms={percentile(cpu_ms, 0.50):.1f} cpu_p95_ms={percentile(cpu_ms, 0.95):.1f}"
            f" cpu_p99_ms={percentile(cpu_ms, 0.99):.1f}"
        )
    line += (
        f" category_pages_p50_ms={percentile(category_ms, 0.50):.1f}"
        f" category_pages_p95_ms={percentile(category_ms, 0.95):.1f}"
        f" category_pages_p99_ms={percentile(category_ms, 0.99):.1f}"
    )
    if args.backend == "db" and len(category_cpu_ms) == len(category_ms):
        line += f" category_pages_cpu_p95_ms={percentile(category_cpu_ms, 0.95):.1f}"
    line += f" category_pages={len(category_ms)}"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("db", "es"), default="db")
    parser.add_argument("--products", type=int, default=40_000)
    parser.add_argument("--requests", type=int, default=600, help="timed searches")
    parser.add_argument(
        "--freeze-gc",
        action="store_true",
        help="freeze the objects alive before the searches and collect young objects less "
        "often, as the WSGI entry does",
    )
    parser.add_argument(
        "--category-requests", type=int, default=300, help="timed category pages (no text)"
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--catalog", type=Path, default=catalog_data.PRODUCTS_FILE)
    parser.add_argument("--queries", type=Path, default=catalog_data.QUERIES_FILE)
    parser.add_argument(
        "--database-url", default=None, help="an empty database (default: a temporary SQLite file)"
    )
    args = parser.parse_args()
    logging.disable(logging.INFO)

    print(run_on_backend(args, "search-latency-", run), flush=True)


if __name__ == "__main__":
    main()
