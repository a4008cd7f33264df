"""gunicorn settings, read from the environment so a course server can tune them without editing code.

    gunicorn -c gunicorn.conf.py app.wsgi:server

Defaults suit a 2-core machine: 4 workers (two per core) with 2 threads each. Python threads share one
interpreter lock, so a worker's threads take turns on one core, and handing the lock over between busy
threads costs CPU. Processes do not: the same class (bench/load.py, 100 learners at a 0.5 s think
time, back to back) used 4.0 ms of server CPU per request with 4 x 2 against 4.1-4.7 ms with 2 x 4,
and gave p95 38-57 ms against 68-87 ms. The second thread lets a worker answer a quick request while
a long one (a 10,000-step run, a new stability sweep) is computing. preload_app imports numpy and the app once,
before forking, so workers share those pages of memory.
"""

import os


def _int_from_env(name: str, default: int, least: int = 1) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip().isdigit() and int(value) >= least else default


bind = f"{os.environ.get('HOST', '0.0.0.0')}:{_int_from_env('PORT', 8050)}"
workers = _int_from_env("WEB_CONCURRENCY", 4)
threads = _int_from_env("THREADS", 2)
worker_class = "gthread"
timeout = _int_from_env("TIMEOUT", 30)
graceful_timeout = 10
# Seconds an idle connection stays open (KEEPALIVE; 0 closes each after its answer). Closing them was
# measured: it lets any idle worker take a learner's next request, but every request then pays a new
# connection, and interleaved runs of bench/load.py (100 learners, 0.5 s think time) were slower with
# it (p95 42-49 ms against 31-40 ms with 5 s, and 3.8 against 3.3-3.6 ms of CPU per request).
keepalive = _int_from_env("KEEPALIVE", 5, least=0)
preload_app = True
# Recycle workers now and then, in case anything ever leaks. Not too often: a new worker starts with
# only the memos the master filled (app.main.warm_up, run by app.wsgi before the fork), and a class of
# 100 sends ~100 requests a second.
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-" if os.environ.get("ACCESS_LOG", "1") == "1" else None
errorlog = "-"
# gunicorn 27 opens a control socket under ~/.gunicorn by default; a container user may have no home.
control_socket_disable = True
