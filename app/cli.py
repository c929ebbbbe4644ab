"""The ``settleroom`` command: serve, users, (and the operational verbs of later modules)."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from collections.abc import Sequence

from app.config import ConfigurationError, Settings, get_settings
from app.secrets import ensure_data_dir, write_secret_file

ADMIN_PASSWORD_FILE = "admin-password.txt"
DEV_ADMIN_EMAIL = "admin@example.com"


def _prepare(settings: Settings) -> None:
    from app.db import make_engine, make_sessionmaker, transaction
    from app.migrate import upgrade
    from app.services import build_services
    from app.users.service import bootstrap_admin

    settings.check_production()
    ensure_data_dir(settings.data_dir)
    upgrade(settings.resolved_database_url)
    services = build_services(settings)  # creates the key files if absent
    email, password = _bootstrap_credentials(settings)
    if email is None or password is None:
        return
    engine = make_engine(settings.resolved_database_url)
    with transaction(make_sessionmaker(engine)) as session:
        created = bootstrap_admin(session, services.passwords, email=email,
                                  name=settings.admin_name, password=password)
    engine.dispose()
    if created is not None:
        print(f"settleroom: created the platform admin {created.email}", file=sys.stderr)


def _bootstrap_credentials(settings: Settings) -> tuple[str | None, str | None]:
    """From the environment; in dev, a generated password saved (0600) in the data dir."""
    if settings.admin_email and settings.admin_password:
        return settings.admin_email, settings.admin_password.get_secret_value()
    if settings.env == "prod":
        return None, None
    path = settings.data_dir / ADMIN_PASSWORD_FILE
    if not path.exists():
        write_secret_file(path, (secrets.token_urlsafe(18) + "\n").encode())
    email = settings.admin_email or DEV_ADMIN_EMAIL
    print(f"settleroom: dev sign-in {email}, password in {path}", file=sys.stderr)
    return email, path.read_text().strip()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app

    settings = get_settings()
    _prepare(settings)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    from app.migrate import upgrade

    settings = get_settings()
    ensure_data_dir(settings.data_dir)
    upgrade(settings.resolved_database_url)
    return 0


def cmd_users_create(args: argparse.Namespace) -> int:
    from app.auth.passwords import MIN_PASSWORD_LENGTH
    from app.db import make_engine, make_sessionmaker, transaction
    from app.errors import AppError
    from app.services import build_services
    from app.users.service import create_user

    settings = get_settings()
    password = os.environ.get("SETTLEROOM_NEW_USER_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"error: the password needs at least {MIN_PASSWORD_LENGTH} characters",
              file=sys.stderr)
        return 2
    services = build_services(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            user = create_user(session, None, services.passwords, email=args.email,
                               name=args.name, password=password,
                               is_platform_admin=args.platform_admin)
    except AppError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(user.id)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="settleroom", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, bootstrap and serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(
        func=cmd_migrate)
    users = sub.add_parser("users", help="manage accounts").add_subparsers(dest="users_command",
                                                                            required=True)
    create = users.add_parser("create", help="create an account (password from "
                              "SETTLEROOM_NEW_USER_PASSWORD or a prompt)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--platform-admin", action="store_true")
    create.set_defaults(func=cmd_users_create)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except ConfigurationError as exc:
        print(f"settleroom: refusing to start: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    raise SystemExit(main())
