"""The single app instance for gunicorn: ``gunicorn -c gunicorn.conf.py app.wsgi:server``.

With preload_app this module runs once, in gunicorn's master, before it forks the workers: what it
computes here every worker starts with, sharing the memory.
"""

import gc
import os

# One compute thread per worker process, set before torch and numpy load their thread pools. The
# tensors here are a few numbers each, so a second thread never speeds an operation up; but OpenMP's
# idle workers spin after each parallel region, and with two workers on two cores that spinning took
# a tenth of the server's CPU under a class's load (5.3 -> 4.7 ms per request, bench/load.py's mix).
# A deployment can still choose otherwise by setting the variables itself.
for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

from app.main import create_app, freeze_after_full_collections, warm_up  # noqa: E402 (after the thread settings)

application = create_app()
server = application.server
warm_up(application)

# torch and plotly leave hundreds of thousands of long-lived objects behind, and warm_up adds the
# memos. Freezing them moves them out of the garbage collector's sight, so a full collection triggered
# by a 10,000-step run no longer rescans them all (that cost 100-150 ms spikes; see
# bench/descent_response.py). With preload_app it also keeps the forked workers from touching, and so
# copying, those pages. It comes last, so that everything warm_up filled is frozen too.
gc.freeze()
freeze_after_full_collections()
