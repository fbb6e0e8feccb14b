"""WSGI entry point: `gunicorn wsgi:app` and `flask --app wsgi ...`."""

from config import config_for_env
from school_tracker import create_app

app = create_app(config_for_env())
