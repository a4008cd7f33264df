"""The single app instance for gunicorn: ``gunicorn -c gunicorn.conf.py app.wsgi:server``.

With preload_app this module runs once, in gunicorn's master, before it forks the workers: what it
computes here every worker starts with, sharing the memory.
"""

import gc

from app.main import create_app, warm_up

application = create_app()
server = application.server
warm_up(application)

# torch and plotly leave hundreds of thousands of long-lived objects behind, and warm_up adds the
# memos. Freezing them moves them out of the garbage collector's sight, so a full collection triggered
# by a 10,000-step run no longer rescans them all (that cost 100-150 ms spikes; see
# bench/descent_response.py). With preload_app it also keeps the forked workers from touching, and so
# copying, those pages. It comes last, so that everything warm_up filled is frozen too.
gc.freeze()
