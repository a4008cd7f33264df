"""The single app instance for gunicorn: ``gunicorn -c gunicorn.conf.py app.wsgi:server``."""

from app.main import create_app

application = create_app()
server = application.server
