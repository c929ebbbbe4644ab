"""docker-compose.yml: postgres:16 with a healthcheck, the apps wait for it healthy, and
every secret is required from the environment."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_app_and_postgres_16_with_required_secrets():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "image: postgres:16" in text
    assert "healthcheck:" in text and "pg_isready" in text
    assert re.search(r"depends_on:\s+db:\s+condition: service_healthy", text)
    for var in ("POSTGRES_PASSWORD", "SETTLEROOM_SECRET_KEY", "SETTLEROOM_ADMIN_PASSWORD"):
        assert re.search(r"\$\{" + var + r":\?", text), var
    # No literal secret values.
    assert not re.search(r"PASSWORD:\s+[^$\s]", text)


def test_dockerfile_serves_the_app():
    text = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["settleroom", "serve"' in text and "EXPOSE 8000" in text


def test_master_key_outside_the_data_volume():
    """The local key store's master key is on a volume of its own, not in app-data."""
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "SETTLEROOM_MASTER_KEY_FILE: /var/lib/settleroom-keys/master.key" in compose
    assert "app-keys:/var/lib/settleroom-keys" in compose
    assert "app-data:/var/lib/settleroom\n" in compose
    docker = (ROOT / "Dockerfile").read_text()
    assert "SETTLEROOM_MASTER_KEY_FILE=/var/lib/settleroom-keys/master.key" in docker


def test_compose_keeps_document_ciphertext_in_minio_with_a_bucket_only_account():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["minio"]["image"].startswith("minio/minio")
    app = services["app1"]
    assert app["depends_on"]["minio-init"] == {"condition": "service_completed_successfully"}
    env = app["environment"]
    assert env["SETTLEROOM_BLOB_STORE"] == "s3"
    assert env["SETTLEROOM_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert env["SETTLEROOM_S3_BUCKET"] == "settleroom"
    text = (ROOT / "docker-compose.yml").read_text()
    for var in ("MINIO_ROOT_PASSWORD", "SETTLEROOM_S3_ACCESS_KEY_ID",
                "SETTLEROOM_S3_SECRET_ACCESS_KEY"):
        assert re.search(r"\$\{" + var + r":\?", text), var
    # The app's account is not MinIO's root account: it gets a policy on its bucket only.
    assert "MINIO_ROOT" not in str(env)
    init = "\n".join(services["minio-init"]["command"])
    assert "mc mb --ignore-existing store/settleroom" in init
    assert '"arn:aws:s3:::settleroom/*"' in init and "policy attach" in init


def _compose() -> dict:  # type: ignore[type-arg]
    import yaml

    loaded: dict = yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # type: ignore[type-arg]
    return loaded


def test_compose_runs_two_replicas_and_one_worker_on_shared_state():
    """Two ``serve`` replicas and one ``worker`` on the same database, bucket, data and key
    volumes, with the same settings; the servers leave mail to the worker, and only app1
    migrates and bootstraps (the others start once it is healthy)."""
    services = _compose()["services"]
    app1, app2, worker = services["app1"], services["app2"], services["worker"]
    assert "app" not in services
    for svc in (app2, worker):
        assert svc["build"] == app1["build"] == "."
        assert svc["environment"] == app1["environment"]
        assert svc["volumes"] == app1["volumes"]
        assert svc["depends_on"] == {"app1": {"condition": "service_healthy"}}
    env = app1["environment"]
    assert env["SETTLEROOM_WORKER"] == "external"
    assert env["SETTLEROOM_BLOB_STORE"] == "s3"
    assert env["SETTLEROOM_DATABASE_URL"].endswith("@db:5432/settleroom")
    assert sorted(app1["volumes"]) == ["app-data:/var/lib/settleroom",
                                       "app-keys:/var/lib/settleroom-keys"]
    assert "command" not in app1 and "command" not in app2  # the image's `settleroom serve`
    assert worker["command"] == ["settleroom", "worker"]
    assert worker["healthcheck"] == {"disable": True}  # it serves no /readyz
    # The worker is reachable by nobody: not on the load balancer's network, no port.
    assert worker["networks"] == ["default"] and "ports" not in worker
    for svc in (app1, app2):
        assert "ports" not in svc  # only through the load balancer


def test_compose_balances_the_replicas_and_believes_only_its_forwarded_address():
    compose = _compose()
    services = compose["services"]
    lb = services["lb"]
    assert lb["image"].startswith("caddy:")
    assert lb["ports"] == ["127.0.0.1:8000:8000"]
    caddyfile = "\n".join(lb["command"])
    assert "reverse_proxy app1:8000 app2:8000" in caddyfile
    assert "health_uri /readyz" in caddyfile
    address = lb["networks"]["front"]["ipv4_address"]
    assert services["app1"]["environment"]["SETTLEROOM_FORWARDED_ALLOW_IPS"] == address
    subnet = compose["networks"]["front"]["ipam"]["config"][0]["subnet"]
    import ipaddress

    assert ipaddress.ip_address(address) in ipaddress.ip_network(subnet)
    for name in ("db", "minio"):  # the stores are not on the balancer's network
        assert "networks" not in services[name]


def test_compose_stop_waits_longer_than_the_shutdown_grace_period():
    """Docker sends SIGTERM, then SIGKILL after stop_grace_period: requests in flight get
    the whole of SETTLEROOM_SHUTDOWN_GRACE_SECONDS only if the period is longer."""
    services = _compose()["services"]
    for name in ("app1", "app2"):
        svc = services[name]
        grace = int(svc["environment"]["SETTLEROOM_SHUTDOWN_GRACE_SECONDS"])
        assert svc["stop_grace_period"].endswith("s")
        assert int(svc["stop_grace_period"][:-1]) > grace
