# The course-server image: gunicorn serving the app, with no network needed at run time.
#   docker build -t gradients .
#   docker run -p 8050:8050 gradients
# BASE lets a machine with no registry access build from a locally made stand-in of the same image.
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8050 \
    WEB_CONCURRENCY=4 \
    THREADS=2

WORKDIR /srv/app

# Dependencies first, so editing the app does not reinstall them. torch comes from the CPU-only
# index: the default wheel pulls several GB of CUDA libraries that a course server never uses.
# TORCH_INDEX can name another package index (a mirror) where that one is not reachable.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
COPY requirements.txt .
# Behind a TLS-intercepting proxy, pass its CA as a build secret; it never lands in the image:
#   docker build --secret id=pip_cert,src=/etc/ssl/certs/ca-certificates.crt .
RUN --mount=type=secret,id=pip_cert \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi; \
    python -m pip install --extra-index-url "${TORCH_INDEX}" -r requirements.txt

COPY app ./app
COPY assets ./assets
COPY gunicorn.conf.py .

RUN useradd --create-home --uid 10001 learner \
    && mkdir -p /var/lib/gradients && chown 10001 /var/lib/gradients
# The live classes (SQLite, shared by every worker): mount a volume here to keep them over a restart.
ENV CLASS_DB=/var/lib/gradients/classes.sqlite3
VOLUME /var/lib/gradients
USER 10001

EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8050'), timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app.wsgi:server"]
