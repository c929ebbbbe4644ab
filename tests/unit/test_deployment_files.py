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
