"""docker-compose.yml: postgres:16 with a healthcheck, the app waits for it healthy, and
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
    app = services["app"]
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
