"""One settings object, read from the environment (prefix LYRA_, plus Stripe's and Anthropic's names)."""

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "lyra-development-secret-change-me"
SIMULATOR_WEBHOOK_SECRET = "whsec_lyra_local_simulator"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LYRA_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/lyra.sqlite"
    # A PostgreSQL hot standby of database_url: the API's reads go there (docs/operations.md).
    read_database_url: str | None = None
    db_schema: str = "public"
    public_url: str = "http://127.0.0.1:8000"

    jwt_secret: str = DEV_JWT_SECRET
    jwt_jwks_url: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None

    stripe_secret_key: str | None = Field(
        default=None, validation_alias=AliasChoices("STRIPE_SECRET_KEY", "LYRA_STRIPE_SECRET_KEY"))
    stripe_webhook_secret: str = Field(
        default=SIMULATOR_WEBHOOK_SECRET,
        validation_alias=AliasChoices("STRIPE_WEBHOOK_SECRET", "LYRA_STRIPE_WEBHOOK_SECRET"))
    stripe_api_base: str | None = None

    anthropic_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "LYRA_ANTHROPIC_API_KEY"))
    anthropic_base_url: str | None = None
    anthropic_model: str = "claude-haiku-4-5"
    anthropic_timeout_seconds: float = Field(default=30.0, gt=0)
    # Chat: intimate mode is gated platform configuration (off: its routes answer 404).
    intimate_chat_enabled: bool = True
    chat_reply_deadline_seconds: float = Field(default=90.0, gt=0)
    chat_history_messages: int = Field(default=20, ge=0, le=200)
    # A paid message whose turn never ended is given back after this long.
    chat_stale_turn_minutes: int = Field(default=10, ge=1)
    # The model as a gate: a finding of a minor or of non-consent at this confidence or more
    # needs a second admin to approve a persona, and ends a chat turn with a refusal.
    safety_model_gate_confidence: float = Field(default=0.6, ge=0, le=1)
    # A folder of language files (application/safety/tables/data's format) loaded beside the
    # shipped ones: adding a language is adding a file; one named as a shipped file replaces it.
    safety_language_dir: str | None = None
    # The share of chat turns with a review finding sampled into the moderation queue.
    safety_chat_review_sample: float = Field(default=1.0, ge=0, le=1)

    tip_creator_bps: int = 7_000
    subscription_creator_bps: int = 8_000
    ppv_creator_bps: int = 8_000
    message_creator_bps: int = 8_000
    ppv_min_tokens: int = Field(default=25, ge=1)
    ppv_max_tokens: int = Field(default=25_000, ge=1)
    hold_days: int = 14
    # Days after which a spent lot's spends leave the wallet's state (kept in its events):
    # beyond Stripe's 120-day dispute window, so a refund or dispute of it is all but impossible.
    wallet_lot_archive_days: int = Field(default=180, ge=121, le=3_650)
    # Access kept after a failed renewal (or a renewal Stripe reports late), in hours.
    subscription_grace_hours: int = Field(default=72, ge=0, le=24 * 30)
    dispute_fee_minor: int = Field(default=2_000, ge=0)  # Stripe's fee when a dispute is lost
    media_dir: str = "var/media"  # the local media store (content-addressed files)
    # An S3-compatible bucket instead of media_dir (credentials from boto3's usual chain:
    # AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an instance role).
    media_s3_bucket: str | None = None
    media_s3_prefix: str = "media/"
    media_s3_endpoint_url: str | None = None  # MinIO, R2, Ceph...; unset for AWS itself
    media_s3_region: str | None = None
    media_max_image_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    # An image's pixels (from its header, before decoding): beyond this a small file is a
    # decompression bomb. 50 MP is a full-frame camera's largest.
    media_max_image_pixels: int = Field(default=50_000_000, ge=1)
    media_max_video_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    media_max_video_seconds: int = Field(default=600, ge=1, le=24 * 3_600)
    media_url_ttl_seconds: int = Field(default=300, ge=1, le=86_400)
    payout_minimum_minor: int = Field(default=2_000, ge=1)  # £20: below it everything carries
    # Failed bank payouts of one payout before its transfer is taken back and support flagged.
    payout_max_bank_attempts: int = Field(default=3, ge=1, le=20)
    # Signed checkpoints (docs/audit-pack.md): the Ed25519 key as a base64 32-byte seed. Required
    # in production; in development one is made in `checkpoint_key_file`; tests use a fresh one.
    checkpoint_signing_key: str | None = None
    checkpoint_key_file: str = "var/checkpoint-signing.key"
    checkpoint_interval_minutes: int = Field(default=60, ge=0, le=24 * 60)  # 0: on demand only
    strike_ttl_days: int = 90
    suspend_at_active_strikes: int = 3
    persona_limit: int = 3

    # Processes that run auditors' and finance's replays apart from the API (0: on its threads).
    replay_processes: int = Field(default=1, ge=0, le=8)
    # Memory the spend writers may keep aggregates in (wallets, spends) between batches, in all.
    aggregate_cache_mb: int = Field(default=64, ge=1, le=65_536)
    group_commit_window_ms: float = 2.0
    group_commit_max_batch: int = 256
    group_commit_writers: int = 2
    run_projections: bool = True
    # Set by `lyra serve` when a process of its own follows the ledger: the API then waits for
    # the read models by polling their positions, and never catches up on its own thread.
    projections_followed_elsewhere: bool = False
    # Rate limits (docs/operations.md, "Limits"), in the `limits` library's notation
    # ("60/minute;1000/hour"): per user (per address for a request without one), by what the route
    # costs. A per-second window beside the longer ones keeps a budget from being spent in one burst
    # that would hold everyone else up. The store: memory:// (this process) or redis://host:port/db
    # (every worker and host shares one budget).
    rate_limits_enabled: bool = True
    rate_limit_storage: str = "memory://"
    rate_limit_reads: str = "50/second;1200/minute"
    rate_limit_writes: str = "20/second;300/minute"
    rate_limit_money: str = "10/second;120/minute;2000/hour"
    # Model calls per fan; bursts are held by one turn in flight per fan and persona.
    rate_limit_chat: str = "30/minute;300/hour"
    rate_limit_checkout: str = "10/minute;60/day"
    rate_limit_uploads: str = "60/hour"
    rate_limit_upload_mib: str = "2048/hour"  # bytes uploaded, in MiB
    rate_limit_replays: str = "30/hour"  # replays and exports, one at a time per staff user
    # Every request from one address, whoever sends it (behind a proxy, set FORWARDED_ALLOW_IPS
    # so the address is the client's, not the proxy's).
    rate_limit_per_address: str = "200/second;6000/minute"
    # A 429's answer is held back this long (at most its Retry-After): each refusal of a
    # flood then waits instead of being asked again at once (docs/operations.md, "Limits").
    rate_limit_refusal_delay_ms: int = Field(default=250, ge=0, le=10_000)
    # One user's (or address's) requests in flight in one worker past which theirs are refused.
    rate_limit_in_flight_per_user: int = Field(default=4, ge=1, le=10_000)
    # Requests in flight in one worker past which new ones are shed with a 503 at once.
    max_in_flight: int = Field(default=32, ge=1, le=10_000)
    # Set by `lyra serve --demo` when the ledger holds the demo marketplace: the development
    # sign-in page offers its people (application/demo_cast.py). Never in production.
    demo: bool = False
    # Set by `lyra serve`: once started, the process freezes its start-up heap (adapters.heap).
    settle_heap: bool = False

    @model_validator(mode="after")
    def refuse_placeholders_outside_development(self) -> "Settings":
        if self.environment == "production":
            if self.demo:
                raise ValueError("the demo marketplace is for development only (LYRA_DEMO)")
            if self.jwt_secret == DEV_JWT_SECRET and not self.jwt_jwks_url:
                raise ValueError("LYRA_JWT_SECRET is the development placeholder")
            if not self.stripe_secret_key or self.stripe_webhook_secret == SIMULATOR_WEBHOOK_SECRET:
                raise ValueError("production needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET")
            if not self.checkpoint_signing_key:
                raise ValueError("production needs LYRA_CHECKPOINT_SIGNING_KEY (base64 Ed25519 "
                                 "seed) to sign the ledger's checkpoints")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
