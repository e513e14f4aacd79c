"""WSGI entry point: `gunicorn wsgi:app` in production, `flask --app wsgi` everywhere else."""

import gc

from marketplace import create_app

# Young objects the collector lets pile up before it looks for cycles among them (default 700).
YOUNG_COLLECTION_THRESHOLD = 20_000

app = create_app()

# Everything built so far (modules, the app, its routes, templates and caches: about 180,000
# objects) lives as long as the process. The collector's full collections walk every tracked
# object, and with these a full collection paused a search for 100 to 250 ms a few times in
# 600: the search benchmark's p99. Freezing moves them out of the collector's sight for good,
# so a full collection walks only what requests left behind (measured: 12 ms). With gunicorn's
# `--preload`, it also keeps the collector from writing to objects the workers share, so their
# memory pages stay shared.
gc.freeze()
# A broad search holds thousands of row tuples and lists at once, and at the default threshold
# each such search set off several young collections: 297 in 900 searches, 96 ms in all. At
# 20,000 one ran. Nearly everything a request makes is freed by reference counting anyway;
# the collector is only there for cycles, which a few more kilobytes of waiting do not hurt.
gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
