"""The ``settleroom`` command: serve, users, (and the operational verbs of later modules)."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

# The settings (pydantic, pydantic-settings) and the key files (cryptography) are loaded by
# the commands that use them, not with this module: ``serve`` pauses the garbage collector
# before it loads anything, and its pause then covers them too (see ``cmd_serve``).
if TYPE_CHECKING:
    from app.config import Settings

ADMIN_PASSWORD_FILE = "admin-password.txt"
DEV_ADMIN_EMAIL = "admin@example.com"
DEFAULT_WITNESS_NAME = "settleroom.local/witness"


def get_settings() -> Settings:
    """``app.config.get_settings``, imported when a command first reads the settings."""
    from app.config import get_settings as from_environment

    return from_environment()


def _prepare(settings: Settings) -> None:
    from app.auth.service import bootstrap_admin
    from app.config import ConfigurationError
    from app.db import make_engine, make_sessionmaker, transaction
    from app.keyfiles import ensure_data_dir
    from app.migrate import upgrade
    from app.runtime import build_services

    settings.check_production()
    ensure_data_dir(settings.data_dir)
    upgrade(settings.resolved_database_url)
    services = build_services(settings)  # creates the key files if absent
    email, password = _bootstrap_credentials(settings)
    if email is None or password is None:
        return
    from app.errors import AppError

    engine = make_engine(settings.resolved_database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            created = bootstrap_admin(session, services.passwords, email=email,
                                      name=settings.admin_name, password=password)
    except AppError as exc:  # a common password, say: name the variable, never the value
        raise ConfigurationError(f"SETTLEROOM_ADMIN_PASSWORD: {exc.detail}") from None
    finally:
        engine.dispose()
    if created is not None:
        print(f"settleroom: created the platform admin {created.email}", file=sys.stderr)


def _bootstrap_credentials(settings: Settings) -> tuple[str | None, str | None]:
    """From the environment; in dev, a generated password saved (0600) in the data dir."""
    from app.keyfiles import write_secret_file

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


def server_options(settings: Settings) -> dict[str, object]:
    """How uvicorn treats X-Forwarded-For and X-Forwarded-Proto: believed only from the
    proxies named by SETTLEROOM_FORWARDED_ALLOW_IPS, and from nobody by default. (Left to
    itself, uvicorn believes them from 127.0.0.1, or from FORWARDED_ALLOW_IPS: any local
    process could then pick its client address, and with it sign-in throttling's key.)"""
    allowed = ",".join(p.strip() for p in settings.forwarded_allow_ips.split(",") if p.strip())
    if not allowed:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": allowed}


def _exit_cleanly(*_: object) -> None:
    raise SystemExit(0)


def cmd_serve(args: argparse.Namespace) -> int:
    # Start-up allocates some 250,000 long-lived objects (modules, classes, tables) and
    # almost no garbage (about 1,300 unreachable objects): the cyclic collector's passes
    # over them were a tenth of a restart's CPU time. It is paused before anything is loaded
    # (the settings included: this module does not import them) until the app is built,
    # and what start-up made is then frozen (``gc.freeze``: never scanned again, as
    # CPython's documentation advises for long-lived servers), so the first requests do
    # not pay one full pass either. A failed start-up exits, collector on or off.
    import gc

    gc.disable()
    try:
        import signal

        import uvicorn

        from app.main import create_app

        settings = get_settings()
        _prepare(settings)
        app = create_app(settings)
        gc.freeze()
    finally:
        gc.enable()
    # On SIGTERM (or Ctrl-C) uvicorn stops listening, lets the requests in flight finish
    # (for at most the grace period), then runs the app's shutdown, which stops its
    # threads. It then raises the signal again for the handler it found: this one ends the
    # process with 0, not killed by the signal (a crash to a process manager) nor with a
    # KeyboardInterrupt traceback. Before uvicorn takes the signals, it stops the start.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _exit_cleanly)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info",
                timeout_graceful_shutdown=settings.shutdown_grace_seconds,
                **server_options(settings))  # type: ignore[arg-type]
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Deliver the mail outbox in this process (``SETTLEROOM_WORKER=external`` servers leave
    it to such processes; any number may run at once)."""
    import signal

    from app.keyfiles import ensure_data_dir
    from app.main import REMINDER_SOURCES
    from app.notifications.worker import DeliveryWorker
    from app.runtime import build_services

    settings = get_settings()
    ensure_data_dir(settings.data_dir)
    engine, factory = _session_factory(settings)
    worker = DeliveryWorker(factory, settings, clock=build_services(settings).now,
                            reminder_sources=REMINDER_SOURCES)
    try:
        if args.once:
            print(f"ok: {worker.drain()} mails attempted")
            return 0
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: worker.stop())
        print("settleroom: delivering mail; stop with Ctrl-C", file=sys.stderr)
        worker.run_forever()
    finally:
        engine.dispose()
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    from app.keyfiles import ensure_data_dir
    from app.migrate import upgrade

    settings = get_settings()
    ensure_data_dir(settings.data_dir)
    upgrade(settings.resolved_database_url)
    return 0


def cmd_users_create(args: argparse.Namespace) -> int:
    from app.auth.service import create_user
    from app.db import make_engine, make_sessionmaker, transaction
    from app.errors import AppError
    from app.kernel.passwords import MIN_PASSWORD_LENGTH
    from app.runtime import build_services

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
                               must_change_password=True,
                               is_platform_admin=args.platform_admin)
    except AppError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(user.id)
    return 0


def _session_factory(settings: Settings):  # noqa: ANN202
    from app.db import make_engine, make_sessionmaker

    engine = make_engine(settings.resolved_database_url)
    return engine, make_sessionmaker(engine)


def _progress_bar(total: int, label: str):  # noqa: ANN202
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="ev", disable=None, file=sys.stderr)


def _witness_records(args: argparse.Namespace, settings: Settings):  # noqa: ANN202
    """Each witness's own record of the log: from ``--witness`` (a witness URL, or a file
    holding the checkpoint it serves) with ``--witness-key``, else the configured ones."""
    from app.audit.witness_check import WitnessRecord
    from app.audit.witnesses import configured_witnesses, latest_checkpoint, parse_witnesses
    from app.config import ConfigurationError
    from crypto.witness import parse_cosigner_verifier_key

    sources: list[str] = args.witness or []
    keys: list[str] = args.witness_key or []
    if len(sources) != len(keys):
        raise ConfigurationError("give one --witness-key per --witness, in the same order")
    if not sources:
        witnesses = configured_witnesses(settings)
        sources, keys = [w.url for w in witnesses], [w.verifier_key for w in witnesses]
    records = []
    with _witness_client(settings) as client:
        for source, key in zip(sources, keys, strict=True):
            try:
                if source.startswith(("http://", "https://")):
                    (witness,) = parse_witnesses([source], [key])
                    note = latest_checkpoint(client, witness, settings.log_origin)
                else:
                    parse_cosigner_verifier_key(key)
                    note = Path(source).read_text(encoding="utf-8")
            except ValueError as exc:
                raise ConfigurationError(f"--witness-key: {exc}") from None
            records.append(WitnessRecord(key.strip(), note))
    return records


def _witness_client(settings: Settings):  # noqa: ANN202
    import httpx

    return httpx.Client(timeout=settings.witness_timeout_seconds)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from app.audit.log import current_size
    from app.audit.repository import count_pending
    from app.audit.verify import verify_log
    from app.audit.witnesses import WitnessUnreachable

    settings = get_settings()
    try:
        witnesses = _witness_records(args, settings)
    except (WitnessUnreachable, OSError) as exc:
        print(f"FAILED: a witness could not be read ({type(exc).__name__}: {exc})",
              file=sys.stderr)
        return 1
    engine, factory = _session_factory(settings)
    try:
        with factory() as session:
            with _progress_bar(current_size(session), "verifying") as bar:
                report = verify_log(session, progress=bar.update, deep=args.deep,
                                    witnesses=witnesses, origin=settings.log_origin)
            pending = count_pending(session)
    finally:
        engine.dispose()
    if report.ok:
        waiting = f"; {pending} events wait to be sequenced" if pending else ""
        witnessed = ("; " + "; ".join(report.witnessed) if report.witnessed else
                     "; no witness checked (--witness, or SETTLEROOM_WITNESS_URLS)")
        print(f"ok: {report.events} entries and {report.heads} signed tree heads verify"
              f"{waiting}{witnessed}")
        return 0
    print(f"FAILED: first bad entry: leaf {report.first_bad_leaf}", file=sys.stderr)
    for problem in report.problems[:20]:
        print(f"  {problem}", file=sys.stderr)
    return 1


def cmd_audit_publish(_: argparse.Namespace) -> int:
    """Give the configured witnesses every head they have not cosigned yet, now."""
    from app.audit.publisher import publish_all
    from app.audit.witnesses import configured_witnesses

    settings = get_settings()
    witnesses = configured_witnesses(settings)
    if not witnesses:
        print("error: no witness configured (SETTLEROOM_WITNESS_URLS, "
              "SETTLEROOM_WITNESS_KEYS)", file=sys.stderr)
        return 2
    engine, factory = _session_factory(settings)
    try:
        with _witness_client(settings) as client:
            done, failed = publish_all(factory, witnesses, client)
    finally:
        engine.dispose()
    for name, code in failed.items():
        print(f"FAILED: witness {name}: {code}", file=sys.stderr)
    print(f"ok: {done} cosignatures received")
    return 1 if failed else 0


def cmd_audit_sequence(_: argparse.Namespace) -> int:
    """Sequence pending events and sign a head now (a server does this continuously)."""
    from app.audit.sequencer import head_covering_all, sequence_pending
    from app.runtime import build_services

    settings = get_settings()
    signer = build_services(settings).log_signer
    engine, factory = _session_factory(settings)
    try:
        done = sequence_pending(factory, signer)
        with factory() as session, session.begin():
            head = head_covering_all(session, signer)
    finally:
        engine.dispose()
    print(f"ok: sequenced {done} events; the signed head covers {head.tree_size}")
    return 0


def _read_key(path: str | None) -> bytes | None:

    return Path(path).read_bytes() if path else None


def cmd_audit_verify_bundle(args: argparse.Namespace) -> int:

    from app.audit.bundle import BundleError, verify_bundle

    try:
        report = verify_bundle(Path(args.bundle).read_bytes(), _read_key(args.public_key))
    except (BundleError, ValueError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    pinned = "" if report.key_pinned else (
        " (key taken from the bundle: pass --public-key to pin it)")
    complete = (f"complete: the case's events 1 to {report.numbered}, none missing"
                if report.numbered else "completeness not proven: the events predate the "
                "per-case counter")
    print(f"ok: {report.events} events of case {report.case_id} are in the signed tree of "
          f"size {report.tree_size}, root {report.root_hash}{pinned}; {complete}")
    return 0


def _trusted_key(args: argparse.Namespace, key_id: str):  # noqa: ANN202
    """The log's key from the one source named on the command line (``app.trusted_keys``)."""
    from app import trusted_keys

    if args.public_key:
        return trusted_keys.pinned(args.public_key)
    if args.url:
        return trusted_keys.published(args.url, os.environ.get("SETTLEROOM_TOKEN"), key_id,
                                      client=_http_client())
    if args.server:
        return trusted_keys.server(get_settings())
    raise trusted_keys.KeySourceError(
        "no trusted key: pass the log's public key (--public-key PEM), the service that "
        "publishes it (--url https://..., with an access token in SETTLEROOM_TOKEN), or "
        "--server when running on the server; the key inside the certificate proves nothing")


def _http_client():  # noqa: ANN202
    """None: ``trusted_keys.published`` opens its own (tests substitute one)."""
    return None


def cmd_certificate_verify(args: argparse.Namespace) -> int:

    from app.cases.certificate import CertificateError, signer_key_id, verify_certificate
    from app.trusted_keys import KeySourceError

    try:
        data = Path(args.certificate).read_bytes()
        key = _trusted_key(args, signer_key_id(data))
        payload = verify_certificate(data, key.pem)
    except (CertificateError, KeySourceError, OSError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"ok: case {payload['case_id']} keys destroyed at {payload['destroyed_at']} "
          f"({len(payload['key_fingerprints'])} key versions); signed by key {key.key_id} "
          f"({key.source})")
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from app.keys_rotation import rotate

    settings = get_settings()
    engine, factory = _session_factory(settings)
    try:
        done = rotate(settings, factory, case_id=args.case, progress=_progress_bar)
    finally:
        engine.dispose()
    print(f"ok: rotated {done} case key(s)")
    return 0


def cmd_blobs_sweep(args: argparse.Namespace) -> int:
    from app.blobs import BlobStoreUnavailable, blob_store_from_settings
    from app.db import begin
    from app.documents.storage import SWEEP_GRACE_SECONDS, sweep_orphans

    grace = SWEEP_GRACE_SECONDS if args.grace_seconds is None else args.grace_seconds
    if grace < 0:
        print("settleroom: --grace-seconds must not be negative", file=sys.stderr)
        return 2
    settings = get_settings()
    store = blob_store_from_settings(settings)
    engine, factory = _session_factory(settings)
    try:
        with factory() as session:
            # It only reads rows: on SQLite it must neither wait for an upload's write lock
            # (30 s, then "database is locked") nor hold one while it lists the store.
            begin(session, write=False)
            removed = sweep_orphans(session, store, grace_seconds=grace)
    except BlobStoreUnavailable:
        print("settleroom: the blob store is unavailable", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"ok: removed {len(removed)} orphan blob(s) older than {grace} s")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Database dump, blobs, and key material in a folder of its own (``app.backup``)."""
    from app.backup.manifest import BackupError
    from app.backup.service import backup, default_keys_dir
    from app.blobs import BlobStoreUnavailable
    from app.keyfiles import master_key
    from app.runtime import build_services

    settings = get_settings()
    services = build_services(settings)
    to = Path(args.to).resolve()
    keys_to = Path(args.keys_to).resolve() if args.keys_to else default_keys_dir(to)
    try:
        done = backup(settings, services.key_provider, services.blob_store, services.hmac_key,
                      master_key(settings) if settings.key_provider == "local" else None,
                      to, keys_to)
    except (BackupError, BlobStoreUnavailable, OSError) as exc:
        print(f"FAILED: {_message(exc)}", file=sys.stderr)
        return 1
    print(f"ok: {done['rows']} rows, {done['blobs']} blobs, key material of {done['cases']} "
          f"case(s) in {keys_to} ({done['destroyed']} destroyed case(s) left out)")
    return 0


def _message(exc: BaseException) -> str:
    from app.errors import AppError

    return exc.detail if isinstance(exc, AppError) else str(exc)


def cmd_backup_forget(args: argparse.Namespace) -> int:
    """Remove destroyed cases' keys from a backup, given their destruction certificates."""
    from app.backup.manifest import BackupError
    from app.backup.service import forget

    try:
        done = forget(Path(args.keys).resolve(), [Path(c) for c in args.certificate])
    except (BackupError, OSError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"ok: forgot the keys of {len(done)} case(s): {', '.join(done) or 'none left'}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Into a fresh database, blob store and key store; refused, with nothing written,
    when the backup is damaged or the target is not empty."""
    from app.backup.manifest import BackupError
    from app.backup.restore import restore
    from app.backup.service import default_keys_dir
    from app.blobs import BlobStoreUnavailable

    settings = get_settings()
    source = Path(args.from_dir).resolve()
    keys = Path(args.keys_from).resolve() if args.keys_from else default_keys_dir(source)
    try:
        done = restore(settings, source, keys, [Path(c) for c in args.destroyed or []])
    except (BackupError, BlobStoreUnavailable, OSError) as exc:
        print(f"FAILED: {_message(exc)}; nothing was restored", file=sys.stderr)
        return 1
    again = (f"; destruction re-applied to {', '.join(done['reapplied'])}"
             if done["reapplied"] else "")
    print(f"ok: {done['rows']} rows, {done['blobs']} blobs, keys of {done['cases']} "
          f"case(s) restored{again}")
    return 0


def _add_backup(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bk = sub.add_parser("backup", help="dump the database, copy the blobs and the key "
                        "material (in a folder of its own)")
    bk.add_argument("--to", required=True, help="a new or empty folder")
    bk.add_argument("--keys-to", help="the key material's folder (default TO/keys); keep it "
                    "on other media than the data")
    bk.set_defaults(func=cmd_backup)
    fg = sub.add_parser("backup-forget", help="delete destroyed cases' keys from a backup's "
                        "key folder, so no restore of it can read them")
    fg.add_argument("--keys", required=True, help="the backup's key folder")
    fg.add_argument("certificate", nargs="+", help="destruction certificates (JSON)")
    fg.set_defaults(func=cmd_backup_forget)
    rs = sub.add_parser("restore", help="restore a backup into a fresh database, blob store "
                        "and key store")
    rs.add_argument("--from", dest="from_dir", required=True)
    rs.add_argument("--keys-from", help="the key material's folder (default FROM/keys)")
    rs.add_argument("--destroyed", action="append",
                    help="the destruction certificate of a case destroyed after the backup: "
                         "it stays destroyed (repeatable)")
    rs.set_defaults(func=cmd_restore)


def cmd_witness_serve(args: argparse.Namespace) -> int:
    """A tlog-witness for the logs whose note verifier keys are given, with its own key
    and state in ``--dir`` (never the service's data directory or database)."""
    import uvicorn

    from app.witness.server import create_witness_app
    from app.witness.service import open_witness

    try:
        witness = open_witness(Path(args.dir), args.name, args.log_key)
    except ValueError as exc:
        print(f"settleroom: refusing to start the witness: {exc}", file=sys.stderr)
        return 2
    print(f"settleroom: witness {witness.verifier_key}", file=sys.stderr)
    uvicorn.run(create_witness_app(witness), host=args.host, port=args.port,
                log_level="warning")
    return 0


def cmd_witness_key(args: argparse.Namespace) -> int:
    """Print the witness's verifier key (the key is created on first use)."""
    from app.witness.service import load_key
    from crypto.witness import cosigner_verifier_key

    try:
        print(cosigner_verifier_key(args.name, load_key(Path(args.dir))))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_audit_note_key(_: argparse.Namespace) -> int:
    """Print the log's note verifier key (what a witness is configured with)."""
    from app.keyfiles import audit_signing_key
    from crypto.signing import note_verifier_key

    settings = get_settings()
    print(note_verifier_key(settings.log_origin, audit_signing_key(settings)))
    return 0


def _add_witness(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    witness = sub.add_parser("witness", help="a transparency-log witness (C2SP tlog-witness) "
                             "with its own key and storage").add_subparsers(
        dest="witness_command", required=True)
    serve = witness.add_parser("serve", help="cosign the checkpoints of the given logs")
    key = witness.add_parser("key", help="print the witness's verifier key")
    for parser in (serve, key):
        parser.add_argument("--dir", required=True,
                            help="the witness's own directory (key file and state)")
        parser.add_argument("--name", default=DEFAULT_WITNESS_NAME,
                            help="the witness's key name, a schema-less URL")
    serve.add_argument("--log-key", action="append", required=True,
                       help="a log's note verifier key (settleroom audit note-key); "
                            "repeat for more logs or keys")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8010)
    serve.set_defaults(func=cmd_witness_serve)
    key.set_defaults(func=cmd_witness_key)


def _add_operations(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    audit = sub.add_parser("audit", help="verify and sequence the audit log").add_subparsers(
        dest="audit_command", required=True)
    verify = audit.add_parser("verify", help="recompute the log, check every signed tree head")
    verify.add_argument("--deep", action="store_true",
                        help="also check the queryable columns and every stored subtree hash")
    verify.add_argument("--witness", action="append",
                        help="a witness's URL, or a file with the checkpoint it serves: the "
                             "log must extend what it cosigned (repeatable; default: the "
                             "configured witnesses)")
    verify.add_argument("--witness-key", action="append",
                        help="that witness's verifier key (settleroom witness key), one per "
                             "--witness")
    verify.set_defaults(func=cmd_audit_verify)
    audit.add_parser("sequence", help="give pending events their leaf indices and sign a "
                     "tree head now").set_defaults(func=cmd_audit_sequence)
    audit.add_parser("publish", help="give the configured witnesses every signed tree head "
                     "they have not cosigned").set_defaults(func=cmd_audit_publish)
    audit.add_parser("note-key", help="print the log's note verifier key, for witnesses"
                     ).set_defaults(func=cmd_audit_note_key)
    vb = audit.add_parser("verify-bundle", help="check an exported case bundle offline")
    vb.add_argument("bundle")
    vb.add_argument("--public-key", help="PEM of the log's Ed25519 key, obtained out of band")
    vb.set_defaults(func=cmd_audit_verify_bundle)
    cert = sub.add_parser("certificate", help="destruction certificates").add_subparsers(
        dest="certificate_command", required=True)
    cv = cert.add_parser("verify", help="check a case destruction certificate")
    cv.add_argument("certificate")
    source = cv.add_mutually_exclusive_group()
    source.add_argument("--public-key", help="PEM of the log's Ed25519 key, obtained out of "
                        "band (pinned)")
    source.add_argument("--url", help="the service's address: check against the keys it "
                        "publishes (access token in SETTLEROOM_TOKEN)")
    source.add_argument("--server", action="store_true",
                        help="on the server: check against its audit key in the data dir")
    cv.set_defaults(func=cmd_certificate_verify)
    keys = sub.add_parser("keys", help="case keys").add_subparsers(dest="keys_command",
                                                                   required=True)
    rot = keys.add_parser("rotate", help="new KEK version; rewrap every data key (resumable)")
    which = rot.add_mutually_exclusive_group(required=True)
    which.add_argument("--case")
    which.add_argument("--all", action="store_true")
    rot.set_defaults(func=cmd_keys_rotate)
    blobs = sub.add_parser("blobs", help="stored document files").add_subparsers(
        dest="blobs_command", required=True)
    sweep = blobs.add_parser("sweep", help="delete blobs that no document version names "
                             "(left by failed uploads) and those of destroyed cases")
    sweep.add_argument("--grace-seconds", type=int,
                       help="keep blobs younger than this, so uploads in flight survive "
                            "(default 3600)")
    sweep.set_defaults(func=cmd_blobs_sweep)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="settleroom", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, bootstrap and serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)
    worker = sub.add_parser("worker", help="deliver notification mails (the outbox)")
    worker.add_argument("--once", action="store_true",
                        help="deliver what is due now, then exit")
    worker.set_defaults(func=cmd_worker)
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
    _add_operations(sub)
    _add_backup(sub)
    _add_witness(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except Exception as exc:
        from app.config import ConfigurationError  # loaded by the command that raised

        if not isinstance(exc, ConfigurationError):
            raise
        print(f"settleroom: refusing to start: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    raise SystemExit(main())
