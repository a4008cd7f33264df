"""The single app instance for gunicorn: ``gunicorn -c gunicorn.conf.py app.wsgi:server``."""

import gc

from app.main import HEALTH_PATH, create_app

application = create_app()
server = application.server

# Dash finishes its setup (the callback map among it) on the first request a process serves, and the
# threads of a fresh worker that arrive during that setup find the map half-filled ("unknown output",
# seen once in 7,000 requests of bench/load.py). One request here, before gunicorn forks, does it once
# for every worker.
server.test_client().get(HEALTH_PATH)

# torch and plotly leave hundreds of thousands of long-lived objects behind. Freezing them moves them
# out of the garbage collector's sight, so a full collection triggered by a 10,000-step run no longer
# rescans them all (that cost 100-150 ms spikes; see bench/descent_response.py). With preload_app it
# also keeps the forked workers from touching, and so copying, those pages.
gc.freeze()
