"""The Docker image, built and run for real: with no network, /healthz and a page answer, as a non-root user.

The test brings its own engine: a private dockerd (its own data root, exec root and socket under a temp
folder, and --iptables=false --ip-forward=false --bridge=none, so the machine's network is left alone).
No base image can be pulled on the project's machines, so a stand-in for python:3.11-slim is made with
debootstrap (cached under the system temp folder between runs) and passed as the BASE build argument.
Where the PyTorch CPU index is out of reach, the local CPU torch wheel is served on loopback as TORCH_INDEX.

It needs root, apt (or docker.io and debootstrap already installed) and PyPI; wherever something is
missing it skips and says what. It takes a minute or two, mostly the image build.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import platform
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE_TAG = "local/python:3.11-slim"
IMAGE_TAG = "gradients:container-test"
USER_ID = 10001  # the Dockerfile's `USER`
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
APT_SOURCES = Path("/etc/apt")
ROOTFS_PACKAGES = "python3,python3-venv,python3-pip,ca-certificates"
# A rootfs tarball made once is reused by later runs (and remade whenever it is missing).
CACHE_DIR = Path(tempfile.gettempdir()) / "gradients-container-test-cache"
CACHED_ROOTFS = CACHE_DIR / "bookworm-minbase-python3.tar"

# Run inside the container with `docker exec`: the container has no network, so it must ask itself.
PROBE = """
import json, urllib.request
def get(path):
    with urllib.request.urlopen("http://127.0.0.1:8050" + path, timeout=30) as response:
        return response.status, response.read()
status, body = get("/healthz")
page_status, page = get("/derivative")
print(json.dumps({"healthz": [status, json.loads(body)], "derivative": [page_status, len(page)]}))
"""
# There is no ps in the image: read /proc directly.
WORKERS = 4  # WEB_CONCURRENCY in the Dockerfile
PROCESSES = """
import json, os
rows = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/status") as f:
            status = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\\0", b" ").decode().strip()
    except OSError:
        continue
    rows.append({"pid": int(pid), "ppid": int(status["PPid"]), "uid": int(status["Uid"].split()[0]),
                 "rss_kib": int(status.get("VmRSS", "0 kB").split()[0]), "cmd": cmd})
print(json.dumps(rows))
"""


def _run(cmd, *, timeout, env=None, check=True, log=None):
    """Run a command; its output goes to `log` (a path) if given, else is captured and returned."""
    cmd = [str(part) for part in cmd]
    if log is None:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
        output = result.stdout + result.stderr
    else:
        with open(log, "w") as out:
            result = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, env=env, check=False)
        output = Path(log).read_text(errors="replace")
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... exited {result.returncode}:\n{_tail(output)}")
    return result.returncode, output


def _tail(text, lines=30):
    return "\n".join(text.strip().splitlines()[-lines:])


def _mounts_under(path: Path):
    prefix = str(path.resolve()) + "/"
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    return sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True)


def _remove_tree(path: Path):
    """Remove a work folder, unmounting anything debootstrap or dockerd left mounted inside it first."""
    if not path.exists():
        return
    for point in _mounts_under(path):
        subprocess.run(["umount", "-l", point], capture_output=True, check=False)
    if _mounts_under(path):
        print(f"left {path} in place: something is still mounted inside it")
        return
    shutil.rmtree(path, ignore_errors=True)


def _docker_tools():
    """dockerd, a docker CLI with BuildKit built in, and debootstrap: installed with apt if missing."""

    def find():
        # The distribution's CLI has BuildKit built in; another `docker` earlier on PATH may lack buildx.
        cli = "/usr/bin/docker" if os.access("/usr/bin/docker", os.X_OK) else shutil.which("docker")
        daemon = shutil.which("dockerd") or shutil.which("dockerd", path="/usr/sbin:/usr/bin")
        bootstrap = shutil.which("debootstrap") or shutil.which("debootstrap", path="/usr/sbin:/usr/bin")
        return cli, daemon, bootstrap

    tools = find()
    if all(tools):
        return tools
    if not shutil.which("apt-get"):
        pytest.skip("docker.io and debootstrap are not installed, and there is no apt-get to install them")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        # policy-rc.d (exit 101) keeps apt from starting a system dockerd, which would change the network.
        with _services_held_back():
            _run(["apt-get", "update", "-qq"], timeout=300, env=env)
            _run(["apt-get", "install", "-y", "-qq", "docker.io", "debootstrap"], timeout=600, env=env)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"could not install docker.io and debootstrap with apt-get: {error}")
    tools = find()
    if not all(tools):
        pytest.skip(f"apt-get ran but docker, dockerd or debootstrap is still missing: {tools}")
    return tools


@contextlib.contextmanager
def _services_held_back():
    policy = Path("/usr/sbin/policy-rc.d")
    if policy.exists():
        yield
        return
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)
    try:
        yield
    finally:
        policy.unlink(missing_ok=True)


def _start_dockerd(dockerd, docker, work: Path, cleanup: contextlib.ExitStack):
    """A private engine that touches no iptables rule, bridge or sysctl; returns the client's environment."""
    socket = work / "docker.sock"
    (work / "daemon.json").write_text("{}")  # ignore any /etc/docker/daemon.json
    log = open(work / "dockerd.log", "wb")  # noqa: SIM115 - closed by the cleanup stack
    cleanup.callback(log.close)
    flags = {
        "--config-file": work / "daemon.json",
        "--data-root": work / "data",
        "--exec-root": work / "exec",
        "--pidfile": work / "dockerd.pid",
        "-H": f"unix://{socket}",
    }
    isolation = ["--iptables=false", "--ip-forward=false", "--bridge=none"]  # never start dockerd without
    process = subprocess.Popen(
        [dockerd, *(str(part) for pair in flags.items() for part in pair), *isolation],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    cleanup.callback(_stop_process, process)
    env = {
        **os.environ,
        "DOCKER_HOST": f"unix://{socket}",
        "DOCKER_BUILDKIT": "1",
        "DOCKER_CONFIG": str(work / "client"),  # leave ~/.docker alone
    }
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        code, _ = _run([docker, "version", "--format", "{{.Server.Version}}"], timeout=20, env=env, check=False)
        if code == 0:
            return env
        time.sleep(1)
    log.flush()
    reason = "exited" if process.poll() is not None else "did not answer within 60 s"
    pytest.skip(f"dockerd {reason} here:\n{_tail((work / 'dockerd.log').read_text(errors='replace'), 15)}")


def _stop_process(process: subprocess.Popen):
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # dockerd leads its own process group
        process.wait(timeout=30)


def debian_mirror(apt_root: Path = APT_SOURCES) -> str | None:
    """The Debian archive this machine's apt uses for its main suite: deb822 .sources files first, then
    one-line .list entries. The security archive is not a place to debootstrap from."""
    candidates = []
    for path in sorted((apt_root / "sources.list.d").glob("*.sources")):
        for stanza in path.read_text(encoding="utf-8", errors="replace").split("\n\n"):
            fields = dict(
                line.split(":", 1) for line in stanza.splitlines() if ":" in line and not line.lstrip().startswith("#")
            )
            fields = {key.strip(): value.strip() for key, value in fields.items()}
            if "deb" in fields.get("Types", "").split() and fields.get("Enabled", "yes") != "no":
                candidates += fields.get("URIs", "").split()
    lists = [apt_root / "sources.list", *sorted((apt_root / "sources.list.d").glob("*.list"))]
    for path in filter(Path.is_file, lists):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            words = [w for w in line.split("#", 1)[0].split() if not w.startswith("[")]
            if len(words) >= 3 and words[0] == "deb":
                candidates.append(words[1])
    usable = [uri for uri in candidates if uri.startswith("http") and "security" not in uri]
    return usable[0] if usable else None


def package_index() -> str:
    """The simple index pip installs from here: its configured index-url, else pip's own default."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "config", "get", "global.index-url"], capture_output=True, text=True, check=False
    )
    if done.returncode == 0 and done.stdout.strip():
        return done.stdout.strip().rstrip("/") + "/"
    from pip._internal.models.index import PyPI

    return PyPI.simple_url.rstrip("/") + "/"


def _rootfs_tarball(debootstrap, work: Path) -> Path:
    """A minimal Debian bookworm with Python 3.11, as a tarball for `docker import`; cached between runs."""
    if CACHED_ROOTFS.is_file():
        return CACHED_ROOTFS
    rootfs = work / "rootfs"
    mirror = debian_mirror()
    if mirror is None:
        pytest.skip(f"no Debian archive found in {APT_SOURCES}/sources.list*, so debootstrap has nowhere to go")
    command = [debootstrap, "--variant=minbase", f"--include={ROOTFS_PACKAGES}", "bookworm", rootfs, mirror]
    try:
        _run(command, timeout=900, log=work / "debootstrap.log")
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"debootstrap could not make the stand-in base image (is {mirror} reachable?): {error}")
    python = rootfs / "usr/local/bin/python"  # where python:3.11-slim has it
    python.unlink(missing_ok=True)
    python.symlink_to("/usr/bin/python3")
    for marker in (rootfs / "usr/lib").glob("python3*/EXTERNALLY-MANAGED"):
        marker.unlink()  # the Dockerfile pip-installs into the system Python, as in python:3.11-slim
    for cache in (rootfs / "var/cache/apt/archives", rootfs / "var/lib/apt/lists"):
        for item in cache.glob("*"):
            if item.is_file() and not item.is_symlink():
                item.unlink()
    CACHE_DIR.mkdir(exist_ok=True)
    partial = CACHE_DIR / f".{uuid.uuid4().hex}.tar"
    try:
        _run(["tar", "-C", rootfs, "-cf", partial, "."], timeout=300)
        os.replace(partial, CACHED_ROOTFS)  # atomic, so a concurrent run never reads half a tarball
    finally:
        partial.unlink(missing_ok=True)
        _remove_tree(rootfs)
    return CACHED_ROOTFS


def _local_torch_wheel():
    """The CPU torch wheel in pip's find-links folders, if this machine keeps one there."""
    folders = os.environ.get("PIP_FIND_LINKS", "").split() + ["/opt/wheels"]
    for folder in folders:
        wheels = sorted(Path(folder.removeprefix("file://")).glob("torch-2.13.0+cpu-cp311-*.whl"))
        if wheels:
            return wheels[0]
    return None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve_torch_index(wheel: Path, work: Path, cleanup: contextlib.ExitStack) -> str:
    """A one-package simple index (INDEX/torch/<wheel>) on loopback, reachable from a --network host build."""
    project = work / "index" / "torch"
    project.mkdir(parents=True)
    (project / wheel.name).symlink_to(wheel)
    handler = functools.partial(_QuietHandler, directory=str(work / "index"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: no clash with anything else running
    threading.Thread(target=server.serve_forever, daemon=True).start()
    cleanup.callback(server.server_close)
    cleanup.callback(server.shutdown)
    return f"http://127.0.0.1:{server.server_address[1]}/"


def _pypi_reachable():
    context = ssl.create_default_context(cafile=str(CA_BUNDLE) if CA_BUNDLE.is_file() else None)
    try:
        urllib.request.urlopen(package_index() + "gunicorn/", timeout=15, context=context).close()
    except OSError as error:
        return error
    return None


def _wait_until_serving(docker, env, name):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        _, running = _run([docker, "inspect", "-f", "{{.State.Running}}", name], timeout=30, env=env, check=False)
        if running.strip() != "true":
            _, logs = _run([docker, "logs", name], timeout=30, env=env, check=False)
            pytest.fail(f"the container stopped:\n{_tail(logs)}")
        code, out = _run([docker, "exec", name, "python", "-c", PROBE], timeout=60, env=env, check=False)
        if code == 0:
            return json.loads(out.strip().splitlines()[-1])
        time.sleep(1)
    _, logs = _run([docker, "logs", name], timeout=30, env=env, check=False)
    pytest.fail(f"the server did not answer within 120 s:\n{_tail(out)}\n--- container log ---\n{_tail(logs)}")


def test_image_serves_pages_with_no_network_as_a_non_root_user(record_property, capsys):
    if platform.system() != "Linux":
        pytest.skip("needs Linux to start a Docker engine")
    if os.geteuid() != 0:
        pytest.skip("needs root to start a private Docker engine and run debootstrap")
    docker, dockerd, debootstrap = _docker_tools()
    unreachable = _pypi_reachable()
    if unreachable is not None:
        pytest.skip(f"the image build installs requirements.txt from {package_index()}, not reachable: {unreachable}")

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="gradients-docker-"))
    with contextlib.ExitStack() as cleanup:  # unwinds in reverse: container, index server, dockerd, folder
        cleanup.callback(_remove_tree, work)
        env = _start_dockerd(dockerd, docker, work, cleanup)

        phases = {"engine_s": time.monotonic() - started}
        tarball = _rootfs_tarball(debootstrap, work)
        _run([docker, "import", tarball, BASE_TAG], timeout=600, env=env)
        phases["base_image_s"] = time.monotonic() - started - sum(phases.values())
        code, out = _run(
            [docker, "run", "--rm", "--network", "none", BASE_TAG, "python", "-c", "print('ok')"],
            timeout=120,
            env=env,
            check=False,
        )
        if code != 0:
            pytest.skip(f"this engine cannot run containers here:\n{_tail(out, 15)}")

        build = [docker, "build", "--network", "host", "--build-arg", f"BASE={BASE_TAG}", "-t", IMAGE_TAG]
        wheel = _local_torch_wheel()
        if wheel is not None:  # else the Dockerfile's default, the PyTorch CPU index
            build += ["--build-arg", f"TORCH_INDEX={_serve_torch_index(wheel, work, cleanup)}"]
        if CA_BUNDLE.is_file():  # pip trusts this machine's CA (e.g. a TLS-intercepting proxy)
            build += ["--secret", f"id=pip_cert,src={CA_BUNDLE}"]
        try:
            _run([*build, ROOT], timeout=1800, env=env, log=work / "build.log")
        except RuntimeError as error:
            pytest.fail(f"docker build failed: {error}")
        phases["build_s"] = time.monotonic() - started - sum(phases.values())

        name = f"gradients-test-{uuid.uuid4().hex[:8]}"
        _run([docker, "run", "-d", "--network", "none", "--name", name, IMAGE_TAG], timeout=120, env=env)
        cleanup.callback(_run, [docker, "rm", "-f", name], timeout=120, env=env, check=False)

        answers = _wait_until_serving(docker, env, name)
        phases["start_to_healthy_s"] = time.monotonic() - started - sum(phases.values())
        # Healthy means one worker answers; the master may still be forking the others (gunicorn spawns
        # them one at a time, with short random pauses), so look again for a few seconds.
        deadline = time.monotonic() + 15
        while True:
            _, out = _run([docker, "exec", name, "python", "-c", PROCESSES], timeout=60, env=env)
            processes = json.loads(out.strip().splitlines()[-1])
            forked = [p for p in processes if "gunicorn" in p["cmd"] and p["ppid"] != 0]
            if len(forked) >= WORKERS or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        _, size = _run([docker, "image", "inspect", "-f", "{{.Size}}", IMAGE_TAG], timeout=60, env=env)
        _, user = _run([docker, "image", "inspect", "-f", "{{.Config.User}}", IMAGE_TAG], timeout=60, env=env)
        phases["measure_s"] = time.monotonic() - started - sum(phases.values())
    phases["cleanup_s"] = time.monotonic() - started - sum(phases.values())

    gunicorn = [p for p in processes if "gunicorn" in p["cmd"]]
    masters = {p["pid"] for p in gunicorn if p["ppid"] not in {q["pid"] for q in gunicorn}}
    workers = [p for p in gunicorn if p["ppid"] in masters]
    figures = {
        "image_size_bytes": int(size),
        "worker_rss_kib": [p["rss_kib"] for p in workers],
        "master_rss_kib": [p["rss_kib"] for p in gunicorn if p["pid"] in masters],
        **{phase: round(seconds, 1) for phase, seconds in phases.items()},
        "total_s": round(sum(phases.values()), 1),
    }
    for key, value in figures.items():
        record_property(key, value)
    with capsys.disabled():
        print(f"\ncontainer: {json.dumps(figures)}")

    assert answers["healthz"] == [200, {"status": "ok"}]
    assert answers["derivative"][0] == 200 and answers["derivative"][1] > 0
    assert user.strip() == str(USER_ID)
    assert len(masters) == 1 and len(workers) == WORKERS, gunicorn
    assert {p["uid"] for p in gunicorn} == {USER_ID}, gunicorn


def test_the_mirror_is_read_from_apt_sources(tmp_path):
    """Both of apt's formats; comments, disabled stanzas and the security archive are passed over."""
    listed = tmp_path / "sources.list.d"
    listed.mkdir()
    (listed / "a.sources").write_text(
        "Types: deb\nURIs: http://mirror.invalid/security\nSuites: bookworm-security\n\n"
        "Types: deb-src\nURIs: http://mirror.invalid/src\n\n"
        "Types: deb\nEnabled: no\nURIs: http://mirror.invalid/off\n\n"
        "# Types: deb\nTypes: deb\nURIs: http://mirror.invalid/debian\nSuites: bookworm\n"
    )
    assert debian_mirror(tmp_path) == "http://mirror.invalid/debian"
    (listed / "a.sources").unlink()
    (tmp_path / "sources.list").write_text(
        "# deb http://mirror.invalid/old bookworm main\ndeb [arch=amd64] http://mirror.invalid/one bookworm main\n"
    )
    assert debian_mirror(tmp_path) == "http://mirror.invalid/one"
    assert debian_mirror(tmp_path / "nothing-here") is None
    assert package_index().endswith("/")
