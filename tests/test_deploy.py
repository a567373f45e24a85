"""The production deployment: docker-compose.yml, as Docker Compose itself reads it, and the Dockerfile.

No Docker engine runs in the test environment, so the compose file is checked with
`docker-compose config` (it parses, interpolates and validates the file without starting anything).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from catalog.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {"POSTGRES_PASSWORD": "compose-test-password", "MEILI_MASTER_KEY": "compose-test-master-key"}
# Settings whose value is the address of a server the application talks to; base_url is its own address.
SERVER_SETTINGS = sorted(name for name in Settings.model_fields if name.endswith("_url") and name != "base_url")


def docker_compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        message = "docker-compose is not installed (Debian package docker-compose)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must install it")
        pytest.skip(message)
    return binary


def compose_config(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env_file = tmp_path / "compose.env"  # an empty file, so that no local .env changes the result
    env_file.write_text("")
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS and not k.startswith("TERBUKA_")}
    return subprocess.run(
        [docker_compose(), "--env-file", str(env_file), "-f", str(ROOT / "docker-compose.yml"), "config"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def compose(tmp_path: Path) -> dict[str, Any]:
    result = compose_config(tmp_path, SECRETS)
    assert result.returncode == 0, result.stderr
    return dict(yaml.safe_load(result.stdout))


def volume_at(service: dict[str, Any], target: str) -> str | None:
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, _, rest = volume.partition(":")
            if rest.split(":")[0] == target:
                return source
        elif volume.get("target") == target:
            return str(volume.get("source"))
    return None


def test_every_server_the_settings_name_is_a_service(compose: dict[str, Any]) -> None:
    assert SERVER_SETTINGS, "no server settings found: the rule is out of date"
    services = compose["services"]
    for name in ("app", "worker"):
        env = services[name]["environment"]
        for setting in SERVER_SETTINGS:
            variable = f"TERBUKA_{setting.upper()}"
            assert variable in env, f"{name} does not set {variable}"
            host = urlsplit(env[variable]).hostname
            assert host in services, f"{variable} points at {host!r}, which is not a service"
            assert host in services[name]["depends_on"] or host in services["app"]["depends_on"]
    assert services["app"]["environment"]["TERBUKA_DATABASE_URL"].startswith("postgresql+psycopg://")


def test_the_app_waits_for_healthy_servers_and_runs_the_migrations(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("app", "worker"):
        conditions = {dep: rule["condition"] for dep, rule in services[name]["depends_on"].items()}
        assert set(conditions.values()) == {"service_healthy"}, name
    assert set(services["app"]["depends_on"]) >= {"postgres", "meilisearch"}
    command = " ".join(services["app"]["command"])
    assert re.search(r"terbuka db upgrade && exec terbuka serve .*--workers [2-9]", command), command
    assert services["worker"]["command"] == ["terbuka", "worker"]
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["meilisearch"]["image"].startswith("getmeili/meilisearch")


def test_app_and_worker_share_the_data_volume(compose: dict[str, Any]) -> None:
    services = compose["services"]
    data_dir = services["app"]["environment"]["TERBUKA_DATA_DIR"]
    assert services["worker"]["environment"]["TERBUKA_DATA_DIR"] == data_dir
    volume = volume_at(services["app"], data_dir)
    assert volume is not None and volume in compose["volumes"], "the data dir must be a named volume"
    assert volume_at(services["worker"], data_dir) == volume
    for name, path in (("postgres", "/var/lib/postgresql/data"), ("meilisearch", "/meili_data")):
        assert volume_at(services[name], path) in compose["volumes"], name


def test_every_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"


def test_secrets_are_required_not_defaulted(tmp_path: Path) -> None:
    result = compose_config(tmp_path, {})
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr or "MEILI_MASTER_KEY" in result.stderr


def test_the_image_is_slim_locked_unprivileged_and_health_checked() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert "-c requirements.lock" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", dockerfile, re.MULTILINE)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var", ".env"} <= set(ignored)


def test_the_deploy_guide_documents_every_variable_the_compose_file_reads() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text()
    compose_text = (ROOT / "docker-compose.yml").read_text()
    variables = set(re.findall(r"\$\{([A-Z_]+)", compose_text)) | set(re.findall(r"(TERBUKA_[A-Z_]+):", compose_text))
    missing = sorted(v for v in variables if v not in guide)
    assert missing == [], f"not in docs/deploy.md: {missing}"
    for step in ("pg_dump", "terbuka db upgrade", "docker-compose"):
        assert step in guide


def test_api_and_workers_scale_out_behind_one_entry_point(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["app"]["deploy"]["replicas"] >= 2
    assert services["worker"]["deploy"]["replicas"] >= 2
    assert "ports" not in services["app"], "replicas cannot share a host port: the proxy publishes it"
    assert services["proxy"]["ports"] and services["proxy"]["depends_on"]["app"]["condition"] == "service_healthy"
    mounted = volume_at(services["proxy"], "/etc/nginx/conf.d/default.conf")
    assert mounted is not None and Path(mounted).name == "nginx.conf"
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "http://app:8000" in config and "X-Forwarded-Proto" in config and "resolver 127.0.0.11" in config
