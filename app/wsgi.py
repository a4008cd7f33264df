"""The single app instance for gunicorn: ``gunicorn -c gunicorn.conf.py app.wsgi:server``."""

import gc

from app.main import create_app

application = create_app()
server = application.server

# torch and plotly leave hundreds of thousands of long-lived objects behind. Freezing them moves them
# out of the garbage collector's sight, so a full collection triggered by a 10,000-step run no longer
# rescans them all (that cost 100-150 ms spikes; see bench/descent_response.py). With preload_app it
# also keeps the forked workers from touching, and so copying, those pages.
gc.freeze()
