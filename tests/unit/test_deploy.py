"""deploy/: the compose file, the nginx config and the Kubernetes manifests, validated offline.

`docker compose config` (or Debian's docker-compose 1.29) and `nginx -t` where those tools exist (.ci/run
installs them as root); the Kubernetes manifests with kubernetes-validate, whose schemas ship inside the
package (no network). The topology itself runs in tests/topology.
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess

import pytest
import yaml

from tests.topology.stack import ROOT, free_port, nginx_binary, nginx_test, write_nginx_config

DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
KUBERNETES_VERSION = "1.37.0"
GUNICORN = runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def manifests() -> dict[str, dict]:
    """Every Kubernetes resource in deploy/kubernetes (the kustomization aside), by kind/name."""
    found = {}
    for path in sorted(KUBERNETES.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                found[f"{document['kind']}/{document['metadata']['name']}"] = document
    return found


def test_kubernetes_manifests_validate_offline():
    from kubernetes_validate.utils import validate

    resources = manifests()
    assert {
        "Deployment/gradients",
        "Service/gradients",
        "Ingress/gradients",
        "HorizontalPodAutoscaler/gradients",
        "PodDisruptionBudget/gradients",
        "Deployment/gradients-redis",
        "Service/gradients-redis",
    } <= resources.keys()
    for name, resource in resources.items():
        try:
            validate(resource, KUBERNETES_VERSION, strict=True)
        except Exception as problem:  # noqa: BLE001 - report which resource, then fail
            pytest.fail(f"{name}: {problem}")


def test_the_kustomization_lists_every_manifest():
    listed = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())["resources"]
    files = sorted(p.name for p in KUBERNETES.glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(listed) == files


def test_the_app_pod_is_non_root_read_only_probed_and_drains():
    pod = manifests()["Deployment/gradients"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["securityContext"]["runAsUser"] == 10001 and pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    tmp = next(m for m in container["volumeMounts"] if m["mountPath"] == "/tmp")
    assert "emptyDir" in next(v for v in pod["volumes"] if v["name"] == tmp["name"])
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert pod["terminationGracePeriodSeconds"] > pre_stop + GUNICORN["graceful_timeout"]
    env = {e["name"]: e for e in container["env"]}
    assert env["REDIS_URL"]["value"].startswith("redis://") and "secretKeyRef" in env["DASH_SECRET_KEY"]["valueFrom"]
    # The request covers the measured PSS of a 4-worker instance (531 MiB, README) with room for the memos,
    # and the limit adds a running trace per slot (a sandbox may take +512 MB).
    assert container["resources"]["requests"]["memory"] == "768Mi"
    assert container["resources"]["limits"]["memory"] == "2Gi"


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_file_validates():
    command = compose_command()
    if command is None:
        pytest.skip("no docker compose plugin and no docker-compose (.ci/run installs docker-compose as root)")
    env = dict(os.environ, DASH_SECRET_KEY="only-for-validation")
    result = subprocess.run(
        [*command, "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_wires_nginx_redis_and_the_app():
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    assert "ports" not in services["app"], "replicas are reached through nginx, so `--scale app=N` can work"
    assert services["app"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert "./nginx/app.conf:/etc/nginx/conf.d/default.conf:ro" in services["nginx"]["volumes"]
    command = services["redis"]["command"]
    assert command[command.index("--maxmemory-policy") + 1] == "allkeys-lru" and "--maxmemory" in command


def test_nginx_config_passes_nginx_t(tmp_path):
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx-light; .ci/run does it as root)")
    config = write_nginx_config(tmp_path, ["127.0.0.1:9", "127.0.0.1:10"], f"127.0.0.1:{free_port()}")
    result = nginx_test(config, tmp_path)
    assert result.returncode == 0, result.stderr


def test_nginx_config_balances_retries_and_caches():
    site = (DEPLOY / "nginx" / "app.conf").read_text()
    for directive in (
        "least_conn;",
        "max_fails=3 fail_timeout=10s",
        "proxy_next_upstream error timeout http_502 http_503 non_idempotent;",
        'add_header Cache-Control "public, max-age=31536000, immutable" always;',
        "gzip off;",
    ):
        assert directive in site
