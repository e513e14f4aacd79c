"""WSGI entry point: `gunicorn wsgi:app` in production, `flask --app wsgi` everywhere else."""

from marketplace import create_app

app = create_app()
