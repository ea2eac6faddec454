"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""
from grantflow import create_app

app = create_app()
