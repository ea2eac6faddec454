"""The app ``bench/pages.py --http`` serves with gunicorn: the real app plus the
bench's bare view and signed-in layout page (see ``bench.pages.bench_app``)."""
import os

from bench.pages import bench_app

app = bench_app(os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_WORKDIR"])
