"""The shipped deployment files work as a new user runs them."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROXIES = ("nginx", "caddy", "traefik", "haproxy", "envoy")


def compose_default(value):
    """What `${NAME:-default}` becomes when .env does not set NAME."""
    found = re.fullmatch(r"\$\{\w+:-([^}]*)\}", str(value))
    return found.group(1) if found else str(value)


def test_docker_compose_serves_plain_http_when_nothing_terminates_tls_in_front():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    has_proxy = any(
        any(p in str(s.get("image", "")) or p in name for p in PROXIES)
        for name, s in services.items()
    )
    web = services["web"]["environment"]
    assert web["DEBUG"] == "0"
    if not has_proxy:
        # Otherwise http://localhost:8000 answers every page with a redirect to https://…
        assert compose_default(web.get("SECURE_SSL_REDIRECT", "1")) == "0"
        assert compose_default(web.get("SECURE_COOKIES", "1")) == "0"
    assert "8000:8000" in services["web"]["ports"]


def test_the_example_tile_url_names_a_host_tianditu_serves():
    lines = (ROOT / ".env.example").read_text().splitlines()
    (tiles,) = [line for line in lines if "MAP_TILE_URL=" in line]
    assert "://t0.tianditu.gov.cn/" in tiles and "{s}" not in tiles
