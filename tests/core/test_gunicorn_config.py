"""gunicorn.conf.py: each worker sets the app's start-up objects aside from the
garbage collector once the app is loaded."""
import gc
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_freezes_what_start_up_made_once_the_app_is_loaded(app):
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    try:
        settings["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 100_000  # the app's modules, models and machines
    finally:
        gc.unfreeze()
