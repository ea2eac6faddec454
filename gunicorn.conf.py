"""gunicorn's settings for GrantFlow, read from the working directory by
``gunicorn wsgi:app`` (the README's production command, the benchmarks and the
tests that serve the app run it from the repository's root)."""
import gc


def post_worker_init(worker):
    """Once a worker has loaded the app, set what start-up made (modules,
    models, workflow machines, about 230,000 objects) aside from the garbage
    collector: otherwise its full collections walk them over and over, about a
    fifth of a page's CPU (measured in docs/benchmarks.md)."""
    gc.collect()
    gc.freeze()
