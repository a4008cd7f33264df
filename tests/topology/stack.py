"""The production topology on loopback, from Debian's packages and the app's own processes.

redis-server (a throwaway one: its own folder, `--save ''`), N app instances started as the Dockerfile
starts them (gunicorn with gunicorn.conf.py and app.wsgi:server, here 1 worker each) and nginx with
deploy/nginx/app.conf, its upstream pointed at those instances. Each instance has its own trace cache
and runtime folders, as separate machines would; only Redis is shared.

Used by tests/topology (is the app stateless? does a restart lose requests?) and bench/capacity.py.
Everything binds 127.0.0.1 and is stopped by its PID.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX_SITE = ROOT / "deploy" / "nginx" / "app.conf"
UPSTREAM_SERVER = re.compile(r"^(\s*)server app:8050( [^;]*)?;$", re.M)
LISTEN = re.compile(r"^(\s*)listen 8080;$", re.M)
START_SECONDS = 120  # an instance imports torch and warms up: ~5 s on a quiet machine, far more on a busy one


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def redis_binary() -> str | None:
    return shutil.which("redis-server") or next((p for p in ("/usr/bin/redis-server",) if os.access(p, os.X_OK)), None)


def missing_tools() -> str | None:
    """Why the topology cannot be started here, or None."""
    missing = [name for name, found in (("nginx", nginx_binary()), ("redis-server", redis_binary())) if not found]
    if missing:
        return f"{' and '.join(missing)} not installed (apt-get install -y nginx-light redis-server; .ci/run does it)"
    return None


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM (gunicorn: finish what is in flight), then SIGKILL if it does not end in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_for(url: str, timeout: float = START_SECONDS, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process behind {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:g} s")


def site_config(upstreams: list[str], listen: str) -> str:
    """deploy/nginx/app.conf with its upstream and listen lines pointed at loopback."""
    text = NGINX_SITE.read_text()
    found = UPSTREAM_SERVER.search(text)
    if not found or not LISTEN.search(text):
        raise ValueError(f"{NGINX_SITE} lost its `server app:8050 ...;` or `listen 8080;` line")
    indent, options = found.group(1), found.group(2) or ""
    servers = "\n".join(f"{indent}server {upstream}{options};" for upstream in upstreams)
    text = UPSTREAM_SERVER.sub(lambda _: servers, text, count=1)
    return LISTEN.sub(lambda m: f"{m.group(1)}listen {listen};", text, count=1)


def write_nginx_config(prefix: Path, upstreams: list[str], listen: str) -> Path:
    """A minimal nginx.conf like the official image's, with the site inside its http block."""
    temp = prefix / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    user = ""
    if os.geteuid() == 0:
        # nginx's workers drop to an unprivileged user when started as root; they write its temp folder.
        account = next((name for name in ("www-data", "nobody") if _user_exists(name)), None)
        if account:
            entry = pwd.getpwnam(account)
            os.chown(temp, entry.pw_uid, entry.pw_gid)
            user = f"user {account} {_group_name(entry.pw_gid)};"
    (prefix / "site.conf").write_text(site_config(upstreams, listen))
    config = prefix / "nginx.conf"
    config.write_text(
        f"""{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {prefix}/site.conf;
}}
"""
    )
    return config


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _group_name(gid: int) -> str:
    import grp  # noqa: PLC0415

    return grp.getgrgid(gid).gr_name


def nginx_test(config: Path, prefix: Path) -> subprocess.CompletedProcess:
    """`nginx -t`: the configuration parses and every file it names can be opened."""
    return subprocess.run(
        [nginx_binary(), "-t", "-q", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


class Topology:
    """redis + N gunicorn instances + nginx on loopback; a context manager that stops them all."""

    def __init__(self, folder: Path, instances: int = 2, workers: int = 1, threads: int = 4, access_log=False):
        self.folder = Path(folder)
        self.instances = instances
        self.workers, self.threads, self.access_log = workers, threads, access_log
        self.redis: subprocess.Popen | None = None
        self.apps: list[subprocess.Popen | None] = [None] * instances
        self.app_ports = [free_port() for _ in range(instances)]
        self.nginx: subprocess.Popen | None = None
        self.nginx_port = free_port()
        self.redis_port = free_port()

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def instance_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.app_ports]

    @property
    def nginx_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def __enter__(self) -> Topology:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        self.start_redis()
        for index in range(self.instances):
            self.start_instance(index, wait=False)
        for index in range(self.instances):
            self.wait_instance(index)
        self.start_nginx()

    def start_redis(self) -> None:
        folder = self.folder / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        self.redis = subprocess.Popen(
            [redis_binary(), "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--dir", str(folder), "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"],
            stdout=open(folder / "redis.log", "wb"),  # noqa: SIM115 - the child holds it; closed when it ends
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def instance_env(self, index: int) -> dict:
        machine = self.folder / f"instance-{index}"
        return dict(
            os.environ,
            HOST="127.0.0.1",
            PORT=str(self.app_ports[index]),
            WEB_CONCURRENCY=str(self.workers),
            THREADS=str(self.threads),
            ACCESS_LOG="1" if self.access_log else "0",
            REDIS_URL=self.redis_url,
            # This instance's own "machine": its queue, slots, job folder and disk cache.
            TRACE_CACHE_DIR=str(machine / "trace-cache"),
            TRACE_RUNTIME_DIR=str(machine / "trace-runtime"),
            PYTHONUNBUFFERED="1",
        )

    def start_instance(self, index: int, wait: bool = True) -> None:
        """gunicorn as the Dockerfile's CMD runs it, 1 worker; waits until it answers /readyz."""
        log = open(self.folder / f"instance-{index}.log", "ab")  # noqa: SIM115 - the child holds it
        self.apps[index] = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app.wsgi:server"],
            cwd=ROOT,
            env=self.instance_env(index),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        if wait:
            self.wait_instance(index)

    def wait_instance(self, index: int) -> None:
        wait_for(f"{self.instance_urls[index]}/readyz", process=self.apps[index])

    def stop_instance(self, index: int) -> None:
        """SIGTERM, as `docker stop` or Kubernetes sends it: gunicorn finishes its requests in flight."""
        if self.apps[index] is not None:
            stop(self.apps[index])
            self.apps[index] = None

    def start_nginx(self) -> None:
        prefix = self.folder / "nginx"
        prefix.mkdir(parents=True, exist_ok=True)
        upstreams = [f"127.0.0.1:{port}" for port in self.app_ports]
        config = write_nginx_config(prefix, upstreams, f"127.0.0.1:{self.nginx_port}")
        checked = nginx_test(config, prefix)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t refused the configuration:\n{checked.stderr}")
        self.nginx = subprocess.Popen(
            [nginx_binary(), "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config), "-g",
             "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=open(prefix / "stderr.log", "wb"),  # noqa: SIM115 - the child holds it
        )  # fmt: skip
        wait_for(f"{self.nginx_url}/readyz", timeout=30, process=self.nginx)

    def server_pids(self) -> list[int]:
        """The gunicorn masters (their workers and jobs are found from /proc by whoever needs them)."""
        return [app.pid for app in self.apps if app is not None]

    def logs(self) -> str:
        parts = []
        for path in sorted(self.folder.glob("instance-*.log")) + sorted(self.folder.glob("nginx/*.log")):
            text = path.read_text(errors="replace")
            parts.append(f"--- {path.name} (last 3000 characters)\n{text[-3000:]}")
        return "\n".join(parts)

    def close(self) -> None:
        if self.nginx is not None:
            stop(self.nginx, timeout=10)
            self.nginx = None
        for index in range(self.instances):
            self.stop_instance(index)
        if self.redis is not None:
            stop(self.redis, timeout=10)
            self.redis = None
