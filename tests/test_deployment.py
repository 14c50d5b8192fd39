"""The docker-compose deployment, checked by reading its files: Docker does not run where the tests do.

What is checked is what breaks a city's deployment quietly: a variable production needs that compose
does not pass, a secret with a default, a variable nobody reads, a port or healthcheck that points
nowhere. No database is needed.
"""

import ast
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import environ
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"
SETTINGS_DIR = ROOT / "config" / "settings"

SECRETS = ("DJANGO_SECRET_KEY", "AUDIT_CHAIN_KEY", "POSTGRES_PASSWORD", "APP_DB_PASSWORD")
# The settings production.py loads: itself and base.py, which it star-imports.
PRODUCTION_SETTINGS = (SETTINGS_DIR / "production.py", SETTINGS_DIR / "base.py")
# Variables the app service may set although no settings module reads them, and who reads them instead.
READ_OUTSIDE_SETTINGS = {
    "DJANGO_SETTINGS_MODULE": "Django itself",
    "TZ": "the C library (log timestamps)",
    "WEB_CONCURRENCY": "gunicorn (number of workers)",
    "RUN_MIGRATIONS": "docker/entrypoint.sh (only the migrate service migrates)",
}
# environ.Env methods that read a variable named by their first argument.
ENV_READERS = {
    "str", "bool", "int", "float", "list", "tuple", "dict", "json", "url", "path", "bytes",
    "db", "db_url", "cache", "cache_url", "email", "email_url", "search_url", "channels", "channels_url",
}  # fmt: skip

# Compose interpolation: $$ (a literal $), ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error},
# ${NAME?error}, ${NAME:+alternative}, ${NAME+alternative} and $NAME.
REFERENCE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariable(Exception):
    """What `docker compose` stops with when a ${NAME:?…} variable is unset or empty."""


# --- reading the files -------------------------------------------------------------------------------


def _compose():
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _strings(node):
    """Every string in a parsed YAML document, keys included; comments are gone by now."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _references(node):
    """(name, operator, argument) for every variable reference compose interpolates in node."""
    for text in _strings(node):
        for match in REFERENCE.finditer(text):
            if not match["escaped"]:
                yield match["braced"] or match["bare"], match["op"] or "", match["arg"] or ""


def _interpolate(text, variables):
    """Substitute variables the way `docker compose` does (the subset of the syntax above)."""

    def substitute(match):
        if match["escaped"]:
            return "$"
        name, op, arg = match["braced"] or match["bare"], match["op"] or "", match["arg"] or ""
        value, is_set = variables.get(name, ""), name in variables
        if op in (":?", "?") and not (value if op == ":?" else is_set):
            raise MissingVariable(name)
        if op == ":-":
            return value or arg
        if op == "-":
            return value if is_set else arg
        if op == ":+":
            return arg if value else ""
        if op == "+":
            return arg if is_set else ""
        return value

    return REFERENCE.sub(substitute, text)


def _environment(service):
    """A service's environment as a dict, whichever of the two compose forms it is written in."""
    environment = _compose()["services"][service].get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
    return {name: "" if value is None else str(value) for name, value in environment.items()}


def _interpolated_environment(service, variables):
    return {name: _interpolate(value, variables) for name, value in _environment(service).items()}


def _env_example():
    variables = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, separator, value = line.partition("=")
            assert separator, f".env.example: not NAME=value: {line!r}"
            variables[name.strip()] = value.strip()
    return variables


def _filled_env_example(**overrides):
    """.env.example as a city would fill it in: the blank secrets get values."""
    variables = _env_example()
    variables.update(DJANGO_SECRET_KEY="k" * 50, AUDIT_CHAIN_KEY="a" * 50, POSTGRES_PASSWORD="0123456789abcdef",
                     APP_DB_PASSWORD="fedcba9876543210")
    variables.update(overrides)
    return variables


def _dockerfile_instructions():
    """(INSTRUCTION, arguments) per Dockerfile instruction, continuation lines joined, comments dropped."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        keyword, _, arguments = (current + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    return instructions


def _dockerfile(keyword):
    return [arguments for instruction, arguments in _dockerfile_instructions() if instruction == keyword]


def _exec_form(arguments):
    """The JSON array of a CMD / ENTRYPOINT / HEALTHCHECK CMD; shell form is not accepted."""
    match = re.search(r"(\[.*\])\s*$", arguments)
    assert match, f"expected the exec form [...], got: {arguments}"
    return json.loads(match[1])


def _cmd():
    commands = _dockerfile("CMD")
    assert commands, "the Dockerfile has no CMD"
    return _exec_form(commands[-1])  # only the last CMD counts


def _healthcheck_code():
    healthchecks = _dockerfile("HEALTHCHECK")
    assert healthchecks, "the Dockerfile has no HEALTHCHECK"
    command = _exec_form(healthchecks[-1])
    assert command[:2] == ["python", "-c"], f"expected python -c: {command}"
    return command[2]


def _env_reads(path):
    """(name, has_default) for each env("NAME"), env.<cast>("NAME"), os.environ.get("NAME") in a module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant):
                yield node.slice.value, False
            continue
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        name, func = node.args[0].value, node.func
        has_default_keyword = any(keyword.arg == "default" for keyword in node.keywords)
        if isinstance(func, ast.Name) and func.id == "env":
            yield name, has_default_keyword or len(node.args) > 2  # env(var, cast, default)
        elif (
            isinstance(func, ast.Attribute) and ast.unparse(func.value) == "env" and func.attr in ENV_READERS
        ):
            yield name, has_default_keyword or len(node.args) > 1  # env.<cast>(var, default)
        elif isinstance(func, ast.Attribute) and ast.unparse(func) in ("os.environ.get", "os.getenv"):
            yield name, len(node.args) > 1


def _required_production_variables():
    return {name for path in PRODUCTION_SETTINGS for name, has_default in _env_reads(path) if not has_default}


def _variables_read_by_settings():
    return {name for path in SETTINGS_DIR.glob("*.py") for name, _ in _env_reads(path)}


def _import_production_settings(variables):
    """Import config.settings.production in a fresh interpreter with exactly these variables set."""
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", **variables}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION_VARIABLES = {
    "DJANGO_SECRET_KEY": "k" * 50,
    "AUDIT_CHAIN_KEY": "a" * 50,
    "DATABASE_URL": "postgres://tsunagaru:secret@db:5432/tsunagaru",
    "DJANGO_ALLOWED_HOSTS": "tsunagaru.example.jp",
}


# --- docker-compose.yml ------------------------------------------------------------------------------


def test_compose_defines_the_db_and_app_services():
    assert {"db", "app"} <= set(_compose()["services"])


def test_the_database_is_postgres_16_and_keeps_its_data_in_a_named_volume():
    compose = _compose()
    db = compose["services"]["db"]
    assert db["image"] == "postgres:16"
    volumes = dict(volume.split(":", 1) for volume in db["volumes"])
    data_volume = {target: source for source, target in volumes.items()}.get("/var/lib/postgresql/data")
    assert data_volume in (compose.get("volumes") or {}), "the database's data must live in a named volume"


def test_the_app_waits_for_a_pg_isready_healthcheck():
    services = _compose()["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_database_port_is_not_published():
    assert "ports" not in _compose()["services"]["db"]


@pytest.mark.parametrize("variables", [
    pytest.param(_filled_env_example(), id="example"),
    pytest.param(_filled_env_example(APP_BIND_ADDRESS=""), id="blank"),
    pytest.param({k: v for k, v in _filled_env_example().items() if k != "APP_BIND_ADDRESS"}, id="unset"),
])
def test_the_app_port_is_bound_to_loopback_unless_an_address_is_given(variables):
    (port,) = _compose()["services"]["app"]["ports"]
    host, published, target = _interpolate(port, variables).split(":")
    assert (host, published, target) == ("127.0.0.1", variables.get("PORT", "8000"), "8000")


def test_the_app_port_follows_the_address_given_for_the_proxy():
    (port,) = _compose()["services"]["app"]["ports"]
    assert _interpolate(port, _filled_env_example(APP_BIND_ADDRESS="10.1.2.3")).split(":")[0] == "10.1.2.3"


def test_no_service_publishes_a_port_on_every_interface():
    for name, service in _compose()["services"].items():
        for port in service.get("ports", []):
            text = port if isinstance(port, str) else f"{port.get('host_ip', '')}:{port.get('published')}"
            parts = _interpolate(text, _filled_env_example()).split(":")
            assert len(parts) == 3 and parts[0] not in ("", "0.0.0.0", "::"), (name, port)


def test_the_app_publishes_container_port_8000():
    targets = []
    for port in _compose()["services"]["app"]["ports"]:
        if isinstance(port, dict):
            targets.append(str(port["target"]))
        else:
            targets.append(str(port).rsplit(":", 1)[-1].split("/")[0])
    assert targets == ["8000"]


def test_the_app_runs_the_production_settings():
    assert _environment("app")["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_the_worker_runs_the_task_queue_with_the_apps_settings_and_leaves_migrations_to_the_migrate_service():
    worker = _compose()["services"]["worker"]
    assert worker["command"][-2:] == ["db_worker", "--no-reload"]
    assert worker["image"] == _compose()["services"]["app"]["image"]
    assert worker["depends_on"]["db"]["condition"] == "service_healthy"
    assert _environment("worker") == _environment("app")
    assert _environment("worker")["RUN_MIGRATIONS"] == "false"
    assert 'if [ "${RUN_MIGRATIONS:-true}" = "true" ]' in (ROOT / "docker" / "entrypoint.sh").read_text()


def test_the_migrate_service_migrates_once_as_the_owner_before_the_app_and_worker_start():
    services = _compose()["services"]
    migrate = services["migrate"]
    assert migrate["image"] == services["app"]["image"]
    assert migrate["restart"] == "no"
    assert _environment("migrate")["RUN_MIGRATIONS"] == "true"
    assert {"APP_DB_USER", "APP_DB_PASSWORD"} <= set(_environment("migrate"))
    for service in ("app", "worker"):
        assert services[service]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # The owner's password reaches the db and migrate services only, never the long-running app and worker.
    holders = {name for name in services if any(ref == "POSTGRES_PASSWORD" for ref, _, _ in _references(services[name]))}
    assert holders == {"db", "migrate"}


def test_the_entrypoint_makes_the_app_role_migrates_and_grants_in_that_order():
    lines = [line.strip() for line in ENTRYPOINT.read_text(encoding="utf-8").splitlines()]
    order = [next(i for i, line in enumerate(lines) if needle in line) for needle in (
        "python /app/docker/app_role.py", "python manage.py migrate", "python manage.py createcachetable",
        'python manage.py grant_app_role "$APP_DB_USER"')]
    assert order == sorted(order)


def test_app_and_worker_share_the_upload_folder_the_image_prepares():
    # The page stores an uploaded ledger; the worker, another container, reads it: one volume for both.
    (env_root,) = [arguments.split("=", 1)[1] for arguments in _dockerfile("ENV") if arguments.startswith("UPLOAD_ROOT=")]
    for service in ("app", "worker"):
        assert f"uploads:{env_root}" in _compose()["services"][service]["volumes"]
    assert "uploads" in _compose()["volumes"]
    assert any(f"chown app:app {env_root}" in arguments for arguments in _dockerfile("RUN"))


def test_every_variable_the_compose_file_reads_is_in_the_env_example():
    referenced = {name for name, _, _ in _references(_compose())}
    missing = referenced - set(_env_example())
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_the_settings_reader_finds_the_documented_required_variables():
    # Guards the AST reading below: if it stopped finding anything, the next test would pass vacuously.
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS"} <= _required_production_variables()


def test_every_required_production_variable_is_passed_to_the_app():
    app = _interpolated_environment("app", _filled_env_example())
    missing = {name for name in _required_production_variables() if not app.get(name)}
    assert not missing, f"production.py needs these but the app service does not set them: {sorted(missing)}"


@pytest.mark.parametrize("secret", SECRETS)
def test_every_reference_to_a_secret_is_required_and_has_no_default(secret):
    operators = [op for name, op, _ in _references(_compose()) if name == secret]
    assert operators, f"{secret} is not used in docker-compose.yml"
    assert set(operators) == {":?"}, f"{secret} must always be written ${{{secret}:?message}}"


@pytest.mark.parametrize("secret", SECRETS)
def test_compose_refuses_to_start_when_a_secret_is_blank(secret):
    with pytest.raises(MissingVariable, match=secret):
        for service in ("db", "app"):
            _interpolated_environment(service, _filled_env_example(**{secret: ""}))


@pytest.mark.parametrize("secret", SECRETS)
def test_the_env_example_leaves_each_secret_blank_so_an_unedited_copy_does_not_start(secret):
    assert _env_example()[secret] == ""


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param(_filled_env_example(), id="example"),
        pytest.param(_filled_env_example(POSTGRES_DB="fukushi", POSTGRES_USER="caseapp"), id="renamed"),
        pytest.param(
            {
                name: value
                for name, value in _filled_env_example().items()
                if name not in ("POSTGRES_DB", "POSTGRES_USER")
            },
            id="defaults",
        ),
    ],
)
def test_the_database_url_reaches_the_db_service_with_its_credentials(variables):
    db = _interpolated_environment("db", variables)
    migrate = _interpolated_environment("migrate", variables)
    owner = environ.Env.db_url_config(migrate["DATABASE_URL"])
    assert owner["ENGINE"] == "django.db.backends.postgresql"
    assert (owner["HOST"], owner["PORT"]) == ("db", 5432)
    assert (owner["NAME"], owner["USER"], owner["PASSWORD"]) == (
        db["POSTGRES_DB"],
        db["POSTGRES_USER"],
        db["POSTGRES_PASSWORD"],
    )
    # The app and worker: the same database as another role, the one the migrate service makes.
    for service in ("app", "worker"):
        url = environ.Env.db_url_config(_interpolated_environment(service, variables)["DATABASE_URL"])
        assert (url["HOST"], url["PORT"], url["NAME"]) == ("db", 5432, db["POSTGRES_DB"])
        assert (url["USER"], url["PASSWORD"]) == (migrate["APP_DB_USER"], migrate["APP_DB_PASSWORD"])
        assert url["USER"] != owner["USER"], "the app must not connect as the owner of the tables"


def test_the_app_role_must_be_named_apart_from_the_owner_in_the_example():
    variables = _filled_env_example()
    assert variables["APP_DB_USER"] and variables["APP_DB_USER"] != variables["POSTGRES_USER"]


def test_every_variable_the_app_sets_is_read_by_the_settings():
    dead = set(_environment("app")) - _variables_read_by_settings() - set(READ_OUTSIDE_SETTINGS)
    assert not dead, f"nothing in config/settings/ reads these: {sorted(dead)}"


@pytest.mark.parametrize("switch", ["DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_COOKIES"])
def test_the_security_switches_stay_on_when_left_blank(switch):
    app = _interpolated_environment("app", _filled_env_example(**{switch: ""}))
    assert environ.Env.parse_value(app[switch], bool) is True


@pytest.mark.parametrize("blank", [True, False], ids=["blank", "unset"])
def test_hsts_stays_a_year_with_subdomains_when_left_blank_or_unset(blank):
    names = ("DJANGO_SECURE_HSTS_SECONDS", "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS")
    variables = _filled_env_example(**dict.fromkeys(names, "")) if blank else {
        k: v for k, v in _filled_env_example().items() if k not in names}
    app = _interpolated_environment("app", variables)
    assert int(app["DJANGO_SECURE_HSTS_SECONDS"]) == 31536000
    assert environ.Env.parse_value(app["DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS"], bool) is True


def test_the_image_has_pg_dump_of_the_databases_major_version_and_a_backup_folder():
    db_major = _compose()["services"]["db"]["image"].split(":")[1]
    assert f"ARG PG_MAJOR={db_major}" in DOCKERFILE.read_text(encoding="utf-8")
    assert any("postgresql-client-${PG_MAJOR}" in run for run in _dockerfile("RUN"))
    assert "PG_BIN_DIR=/usr/lib/postgresql/${PG_MAJOR}/bin" in _dockerfile("ENV")
    (backup_dir,) = [a.split("=", 1)[1] for a in _dockerfile("ENV") if a.startswith("BACKUP_DIR=")]
    assert any(f"chown app:app {backup_dir}" in run for run in _dockerfile("RUN"))
    assert f"backups:{backup_dir}" in _compose()["services"]["app"]["volumes"]


def test_trusting_x_forwarded_for_is_off_unless_asked_for():
    variables = {k: v for k, v in _filled_env_example().items() if k != "AUDIT_TRUST_X_FORWARDED_FOR"}
    app = _interpolated_environment("app", variables)
    assert environ.Env.parse_value(app["AUDIT_TRUST_X_FORWARDED_FOR"], bool) is False


# --- Dockerfile --------------------------------------------------------------------------------------


def test_the_image_is_built_from_python_3_11_slim():
    assert _dockerfile("FROM")[0].split()[0] == "python:3.11-slim"


def test_the_dockerfile_exposes_8000_and_gunicorn_binds_to_it():
    assert "8000" in " ".join(_dockerfile("EXPOSE")).split()
    cmd = _cmd()
    binds = [cmd[i + 1] for i, arg in enumerate(cmd[:-1]) if arg in ("--bind", "-b")]
    binds += [arg.split("=", 1)[1] for arg in cmd if arg.startswith("--bind=")]
    assert binds == ["0.0.0.0:8000"]


def test_the_dockerfile_runs_the_wsgi_application_with_gunicorn():
    cmd = _cmd()
    assert cmd[0] == "gunicorn"
    assert "config.wsgi:application" in cmd


def test_the_dockerfile_installs_the_dependencies_from_pyproject():
    assert any(re.search(r"\bpip install \.(\s|$)", run) for run in _dockerfile("RUN"))


def test_the_build_only_values_are_enough_to_collect_static_files():
    collectstatic = [run for run in _dockerfile("RUN") if "manage.py collectstatic" in run]
    assert len(collectstatic) == 1
    inline = dict(re.findall(r"\b([A-Z][A-Z0-9_]*)=(\S+)", collectstatic[0]))
    assert set(inline) >= _required_production_variables()
    result = _import_production_settings(inline)
    assert result.returncode == 0, result.stderr


def test_the_build_only_secret_does_not_stay_in_the_image():
    assert not any("DJANGO_SECRET_KEY" in arguments for arguments in _dockerfile("ENV") + _dockerfile("ARG"))


def test_the_image_runs_as_a_non_root_user():
    users = _dockerfile("USER")
    assert users, "the Dockerfile has no USER"
    assert users[-1].split(":")[0] not in ("root", "0")


# --- the healthcheck, run against a stand-in server --------------------------------------------------


class _StandIn(http.server.BaseHTTPRequestHandler):
    status, body, seen = 200, b'{"status": "ok"}', []

    def do_GET(self):
        type(self).seen.append((self.path, self.headers["Host"], self.headers["X-Forwarded-Proto"]))
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def _run_healthcheck(status, body, allowed_hosts):
    handler = type("Handler", (_StandIn,), {"status": status, "body": body, "seen": []})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        code = _healthcheck_code()
        assert "127.0.0.1:8000" in code, "the healthcheck must ask the container's own gunicorn"
        code = code.replace("127.0.0.1:8000", f"127.0.0.1:{server.server_port}")
        environment = {"PATH": os.environ.get("PATH", ""), "DJANGO_ALLOWED_HOSTS": allowed_hosts}
        result = subprocess.run(
            [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=30
        )
    finally:
        server.shutdown()
        server.server_close()
    return result.returncode, handler.seen


def test_the_healthcheck_passes_when_healthz_answers_ok_as_an_allowed_host_over_https():
    returncode, seen = _run_healthcheck(200, b'{"status": "ok"}', "tsunagaru.example.jp,localhost")
    assert returncode == 0
    # Host: otherwise ALLOWED_HOSTS answers 400. X-Forwarded-Proto: otherwise SECURE_SSL_REDIRECT answers 301.
    assert seen == [("/healthz", "tsunagaru.example.jp", "https")]


@pytest.mark.parametrize(("status", "body"), [(500, b"Server Error"), (200, b'{"status": "starting"}')])
def test_the_healthcheck_fails_when_healthz_does_not_answer_ok(status, body):
    returncode, seen = _run_healthcheck(status, body, "tsunagaru.example.jp")
    assert seen, "the healthcheck did not reach the server"
    assert returncode != 0


# --- entrypoint and .dockerignore --------------------------------------------------------------------


def test_the_image_starts_through_the_entrypoint():
    entrypoint = _exec_form(_dockerfile("ENTRYPOINT")[-1])
    assert "/app/docker/entrypoint.sh" in entrypoint


def test_the_entrypoint_migrates_then_execs_the_command():
    lines = [line.strip() for line in ENTRYPOINT.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    migrate = next(i for i, line in enumerate(lines) if re.match(r"python manage\.py migrate\b", line))
    assert "--noinput" in lines[migrate]
    assert lines[-1] == 'exec "$@"'
    assert migrate < len(lines) - 1


def test_the_entrypoint_is_valid_shell():
    result = subprocess.run(["sh", "-n", str(ENTRYPOINT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_secrets_and_local_state_stay_out_of_the_build_context():
    patterns = {line.strip().strip("/") for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()}
    expected = {".env", ".venv", ".data", ".git", "**/__pycache__", "staticfiles", "test-artifacts"}
    assert expected <= patterns


# --- production settings -----------------------------------------------------------------------------


def test_production_settings_load_with_the_required_variables():
    result = _import_production_settings(PRODUCTION_VARIABLES)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(PRODUCTION_VARIABLES))
def test_production_settings_refuse_to_load_without_a_required_variable(missing):
    result = _import_production_settings({k: v for k, v in PRODUCTION_VARIABLES.items() if k != missing})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr
