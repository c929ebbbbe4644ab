"""Runtime configuration, read from the environment with the prefix ``SETTLEROOM_``.

Secrets never have working defaults in production: ``Settings.check_production`` refuses
to start when one is missing or still a placeholder.
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "change_me", "secret", "password", "admin", "example", "xxx"}
)


class ConfigurationError(RuntimeError):
    """The configuration cannot be used; the message names the variable, never its value."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SETTLEROOM_", extra="ignore")

    env: Literal["dev", "prod"] = "dev"
    data_dir: Path = Path("./var")
    database_url: str | None = None
    admin_email: str | None = None
    admin_password: SecretStr | None = None
    admin_name: str = "Platform administrator"
    secret_key: SecretStr | None = None

    access_token_minutes: int = Field(default=15, ge=1, le=60)
    refresh_token_days: int = Field(default=14, ge=1, le=90)
    token_issuer: str = "settleroom"
    token_audience: str = "settleroom-api"

    # Argon2id cost; tests pass cheap values explicitly.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=2, ge=1)

    # Sign-in throttling (app.auth.service.throttle). One (account, client address) pair may
    # fail this many times freely; then each failure doubles its wait, from the first delay
    # up to the longest. Its count is forgotten after a day without failures, or at once by
    # a success. The owner's own addresses (a success there within the known-address days)
    # are throttled by their pair only; other addresses also meet a ceiling per account and
    # a limit per address, counted over fixed windows.
    login_pair_free_failures: int = Field(default=5, ge=1)
    login_pair_first_delay_seconds: int = Field(default=30, ge=1)
    login_pair_max_delay_seconds: int = Field(default=900, ge=1)
    login_pair_forget_seconds: int = Field(default=86400, ge=1)
    login_known_address_days: int = Field(default=90, ge=0)
    login_max_failures_per_account: int = Field(default=100, ge=1)
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)
    # Password reset requests (app.auth.service.reset), counted per hour: per e-mail address
    # asked for (past it, the answer is the same and nothing more is sent) and per client
    # address (past it, 429).
    password_reset_max_per_email: int = Field(default=3, ge=1)
    password_reset_max_per_client: int = Field(default=10, ge=1)
    # Client addresses (comma-separated IPs or networks) of the reverse proxies whose
    # X-Forwarded-For / X-Forwarded-Proto are believed; empty: none, the peer address is
    # the client's. "*" trusts every peer: only when nothing but the proxy can connect.
    forwarded_allow_ips: str = Field(default="", pattern=r"^[0-9A-Fa-f:.,/* ]*$")

    # The C2SP checkpoint origin (and note signer name) of this deployment's audit log.
    log_origin: str = Field(default="settleroom.local/audit-log", pattern=r"^[\x21-\x7e]+$")
    # A new signed tree head at least this often while events arrive.
    tree_head_interval_seconds: int = Field(default=60, ge=1)
    # Who moves committed audit events into the log: the app's background sequencer
    # (woken by each commit), or also the committing request itself before it answers
    # ("on_commit": read-your-writes on the log, at the cost of one more transaction per
    # request; tests use it to read the log right after a call).
    audit_sequencing: Literal["background", "on_commit"] = "background"
    # Witnesses (C2SP tlog-witness) that cosign every signed tree head outside this
    # database: their submission prefixes, and their cosigner verifier keys
    # (``settleroom witness key``), comma-separated, paired by position.
    witness_urls: str = ""
    witness_keys: str = ""
    witness_poll_seconds: float = Field(default=2.0, gt=0)
    witness_timeout_seconds: float = Field(default=10.0, gt=0)

    max_json_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    # Memory for decrypted originals and what is derived from them (app.kernel.originals);
    # 0 decrypts and analyses per request.
    originals_cache_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    # Accounts whose valid tokens are answered without reading the database
    # (app.auth.account_cache); 0 reads the account row on every request. Invalidation is
    # exact; the lifetime only bounds an entry should an announcement ever be missed.
    account_cache_size: int = Field(default=10_000, ge=0)
    account_cache_seconds: float = Field(default=300.0, gt=0)
    # A PDF larger than this is never held whole in memory by a download: it is decrypted
    # into a private spool file, marked from it into another, and streamed from that one
    # (README "Streamed downloads"). Smaller ones are marked in memory, with the originals
    # cache. 0 spools every PDF.
    pdf_spool_above_bytes: int = Field(default=8 * 1024 * 1024, ge=0)
    # Mail (``app.notifications``). Without an SMTP host, mails are written as .eml files
    # under DATA_DIR/outbox (the embedded default, so ``make run`` needs no mail server).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    mail_from: str = Field(default="settleroom <no-reply@settleroom.invalid>", min_length=3)
    # Links in mails point here; pages are at the same paths as in the app.
    public_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s]+$")
    # Who delivers the outbox: ``settleroom serve`` in process ("internal"), or only
    # ``settleroom worker`` processes ("external"; any number of them may run).
    worker: Literal["internal", "external"] = "internal"
    mail_max_attempts: int = Field(default=8, ge=1, le=50)
    # The first retry waits this long, each later one twice as long as the one before.
    mail_retry_seconds: float = Field(default=30.0, gt=0)
    # A claimed mail not marked sent within this time (its worker died) is claimed again.
    mail_lease_seconds: float = Field(default=300.0, gt=0)
    mail_poll_seconds: float = Field(default=2.0, gt=0)
    # Logs: "text" lines or one JSON object per line; every line carries the request id.
    log_format: Literal["text", "json"] = "text"
    # GET /metrics asks for this bearer token when set (else it is open, for a local scrape).
    metrics_token: SecretStr | None = None
    # Where the ciphertext of documents lives (``app.blobs``): files under DATA_DIR/blobs,
    # or objects in an S3-compatible bucket (then several processes may share it).
    blob_store: Literal["local", "s3"] = "local"
    s3_endpoint_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    s3_bucket: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    s3_region: str = "us-east-1"
    # Unset: boto3's own chain (AWS_* variables, an instance or task role).
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    # Multipart upload part size (S3 takes parts of 5 MiB or more); memory per upload
    # stays near a few parts' worth of buffers whatever the document's size.
    s3_part_bytes: int = Field(default=8 * 1024 * 1024, ge=5 * 1024 * 1024, le=512 * 1024 * 1024)
    # Connect and read timeout of each call to the store (retried up to three times).
    s3_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # Each /readyz check (database, blob store, key store) answers within this time.
    readiness_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    key_provider: Literal["local", "pkcs11"] = "local"
    # The master key that encrypts the local key store (``app.keyfiles.master_key``): a
    # file outside the data directory, so that copies and backups of the data directory
    # hold no usable case key. Unset: ``<data_dir>.master-key`` beside the data directory
    # (dev only; production names it).
    master_key_file: Path | None = None
    # The local key store itself (the wrapped case keys). Unset: DATA_DIR/keys/kek.json.
    # Replicas that use the local provider name one shared file (one host, or a file system
    # with working fcntl locks); across hosts, replicas share a PKCS#11 token instead.
    key_store_file: Path | None = None
    pkcs11_library: str | None = None
    pkcs11_token_label: str | None = None
    pkcs11_pin: SecretStr | None = None
    # On SIGTERM, ``settleroom serve`` stops accepting connections and waits this long for
    # the requests in flight to finish before it cancels them; then it stops its threads.
    shutdown_grace_seconds: int = Field(default=30, ge=1, le=3600)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'settleroom.db').resolve()}"

    def check_production(self) -> None:
        """Refuse a production start with a missing or placeholder secret."""
        if self.env != "prod":
            return
        problems = []
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < 32:
            problems.append("SETTLEROOM_SECRET_KEY must be set to at least 32 random characters")
        if self.admin_password is not None:
            pw = self.admin_password.get_secret_value()
            if pw.strip().lower() in PLACEHOLDER_SECRETS or len(pw) < 12:
                problems.append("SETTLEROOM_ADMIN_PASSWORD is a placeholder or shorter than 12")
        if not self.database_url:
            problems.append("SETTLEROOM_DATABASE_URL must be set in production")
        if self.key_provider == "local" and self.master_key_file is None:
            problems.append("SETTLEROOM_MASTER_KEY_FILE must name the local key store's "
                            "master key file, outside the data directory")
        if self.blob_store == "s3" and not self.s3_bucket:
            problems.append("SETTLEROOM_S3_BUCKET must be set when SETTLEROOM_BLOB_STORE=s3")
        if self.key_provider == "pkcs11":
            pin = self.pkcs11_pin.get_secret_value() if self.pkcs11_pin else ""
            if pin.strip().lower() in PLACEHOLDER_SECRETS:
                problems.append("SETTLEROOM_PKCS11_PIN must be set")
        if problems:
            raise ConfigurationError("; ".join(problems))


@lru_cache
def get_settings() -> Settings:
    return Settings()
