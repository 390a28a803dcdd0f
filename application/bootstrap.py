"""The composition root: settings in, a wired ledger core out. Nothing else constructs adapters."""

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from adapters.eventstore.config import Database, parse_database
from adapters.eventstore.job_locks import JobLocks
from adapters.eventstore.ledger import Ledger
from adapters.llm.anthropic_model import AnthropicChatModel
from adapters.llm.offline import OfflineChatModel
from adapters.media.ffmpeg_videos import FfmpegVideos
from adapters.media.local_directory import LocalDirectoryMediaStore
from adapters.media.pillow_images import PillowImages
from adapters.media.s3_store import S3MediaStore
from adapters.signing.ed25519 import Ed25519Signer
from adapters.stripe.gateway import StripeGateway
from adapters.stripe.simulator import LocalPaymentSimulator
from application.audit_log import AuditLog
from application.audit_pack.checkpoints import Checkpoints
from application.audit_pack.export import AuditExports
from application.chat.companion.service import CompanionChat, CompanionPolicy
from application.chat.conversation import Conversation
from application.chat.give_back import StaleTurns
from application.chat.intimate.service import IntimatePolicy
from application.chat.modes import ChatModes
from application.clock import Clock, system_clock
from application.content.library import ContentLibrary, MediaLimits
from application.content.persona_images import PersonaImages
from application.content.ppv import PayPerView
from application.content.signed_urls import MediaUrlSigner
from application.content.sweep import MediaSweep
from application.content.videos import PrepareInBackground, VideoPreparation
from application.creators import Creators
from application.holds import HoldReleases
from application.identity.age_verification import AgeVerifications
from application.moderation import Moderation
from application.onboarding import CreatorOnboarding
from application.payouts.run import Payouts
from application.payouts.stripe_events import ConnectEvents
from application.personas import Personas
from application.ports import ChatModel, CheckpointSigner, MediaStore, PaymentGateway
from application.purchases import TokenPurchases
from application.replay_workers import ReplayWorkers
from application.safety.checks import SafetyChecks
from application.safety.second_opinion import SecondOpinions
from application.safety.tables.matcher import load_tables
from application.scheduled import ScheduledJobs
from application.settings import Settings
from application.spending.service import Spending
from application.stripe_events import StripeEvents
from application.subscriptions.billing_events import BillingEvents
from application.subscriptions.service import Subscriptions
from application.tip_acknowledgements import TipAcknowledgements
from application.wallets import WalletAdministration
from domain.fees import FeeSchedule
from domain.strikes import StrikePolicy
from projections.admin_queries import AdminQueries
from projections.catalog import all_projections
from projections.chat_queries import ChatQueries
from projections.content import ContentQueries
from projections.db import PostgresReadModelDb, ReadModelDb, SqliteReadModelDb
from projections.payouts import PayoutQueries
from projections.persona_queries import PersonaQueries
from projections.ppv import PpvQueries
from projections.queries import LedgerQueries
from projections.replica import ReplicaReads
from projections.runner import ProjectionRunner
from projections.subscriptions import SubscriptionQueries
from replay.payout_rebuild import payout_rebuild


@dataclass
class Core:
    settings: Settings
    ledger: Ledger
    read_db: ReadModelDb
    reads: ReadModelDb  # what the API reads from: read_db, or a read replica in front of it
    projections: ProjectionRunner
    queries: LedgerQueries
    admin_queries: AdminQueries
    audit_log: AuditLog
    gateway: PaymentGateway
    simulator: LocalPaymentSimulator | None
    fees: FeeSchedule
    spending: Spending
    purchases: TokenPurchases
    holds: HoldReleases
    creators: Creators
    onboarding: CreatorOnboarding
    moderation: Moderation
    stripe_events: StripeEvents
    personas: Personas
    acknowledgements: TipAcknowledgements
    persona_queries: PersonaQueries
    wallets: WalletAdministration
    ppv: PayPerView
    ppv_queries: PpvQueries
    subscriptions: Subscriptions
    subscription_queries: SubscriptionQueries
    library: ContentLibrary
    content_queries: ContentQueries
    persona_images: PersonaImages
    videos: VideoPreparation
    video_worker: PrepareInBackground
    media_sweep: MediaSweep
    payouts: Payouts
    payout_queries: PayoutQueries
    chat_modes: ChatModes
    companion_chat: CompanionChat
    intimate_chat: Conversation | None  # None when the platform switched intimate mode off
    age_verifications: AgeVerifications
    chat_queries: ChatQueries
    stale_turns: StaleTurns
    clock: Clock
    replays: ReplayWorkers
    checkpoints: Checkpoints
    scheduled: ScheduledJobs
    audit_exports: AuditExports

    def close(self) -> None:
        self.video_worker.close()
        self.replays.close()
        self.projections.stop()
        self.spending.close()
        if self.reads is not self.read_db:
            self.reads.close()
        self.read_db.close()
        self.ledger.close()


def fee_schedule(settings: Settings) -> FeeSchedule:
    return FeeSchedule(tip_creator_bps=settings.tip_creator_bps,
                       subscription_creator_bps=settings.subscription_creator_bps,
                       ppv_creator_bps=settings.ppv_creator_bps,
                       message_creator_bps=settings.message_creator_bps,
                       hold_period=timedelta(days=settings.hold_days),
                       lot_archive_after=timedelta(days=settings.wallet_lot_archive_days))


def read_model_db(db: Database) -> ReadModelDb:
    if db.kind == "postgres":
        return PostgresReadModelDb(db.conninfo, db.schema)
    # A file of its own, so projection writes never wait on the event store's SQLite lock.
    path = Path(db.sqlite_path)
    return SqliteReadModelDb(str(path.with_name(path.stem + "-views" + path.suffix)))


def payment_gateway(settings: Settings, db: ReadModelDb, clock: Clock = system_clock
                    ) -> tuple[PaymentGateway, LocalPaymentSimulator | None]:
    """Stripe when a key is configured, else the local simulator, whose state lives in the
    read-model database so every worker and host shares it."""
    if settings.stripe_secret_key:
        return StripeGateway(settings.stripe_secret_key, settings.stripe_webhook_secret,
                             settings.stripe_api_base), None
    simulator = LocalPaymentSimulator(settings.stripe_webhook_secret, settings.public_url, db,
                                      clock=clock)
    return simulator, simulator


def chat_model(settings: Settings) -> ChatModel:
    if settings.anthropic_api_key:
        return AnthropicChatModel(settings.anthropic_api_key, settings.anthropic_model,
                                  settings.anthropic_base_url,
                                  timeout_s=settings.anthropic_timeout_seconds)
    return OfflineChatModel()


def replica_reads(settings: Settings, db: Database, primary: ReadModelDb,
                  runner: ProjectionRunner) -> ReadModelDb:
    """The API's reads: from the read replica when one is configured (its read-your-writes
    waits run on it too), else from the primary."""
    if not settings.read_database_url:
        return primary
    replica = parse_database(settings.read_database_url, settings.db_schema)
    if replica.kind != "postgres" or db.kind != "postgres":
        raise ValueError("LYRA_READ_DATABASE_URL is a PostgreSQL standby of the primary")
    # A standby that cannot give a connection in a second leaves the read to the primary.
    reads = ReplicaReads(PostgresReadModelDb(replica.conninfo, replica.schema, timeout_s=1.0),
                         primary,
                         [p.name for p in runner.projections])
    runner.replica_reached = reads.reached
    return reads


def media_store_for(settings: Settings) -> MediaStore:
    """The bucket when one is configured, else the local directory (the embedded default)."""
    if settings.media_s3_bucket:
        return S3MediaStore(settings.media_s3_bucket, settings.media_s3_prefix,
                            settings.media_s3_endpoint_url, settings.media_s3_region,
                            link_ttl_seconds=settings.media_url_ttl_seconds)
    return LocalDirectoryMediaStore(settings.media_dir)


def media_link_origin(settings: Settings) -> str | None:
    """Where browsers fetch media from when the store serves it (for the pages' CSP)."""
    if not settings.media_s3_bucket:
        return None
    if settings.media_s3_endpoint_url:
        parts = urlsplit(settings.media_s3_endpoint_url)
        return f"{parts.scheme}://{parts.netloc}"
    return "https://*.amazonaws.com"


def checkpoint_signer(settings: Settings) -> CheckpointSigner:
    if settings.checkpoint_signing_key:
        return Ed25519Signer.from_base64(settings.checkpoint_signing_key)
    if settings.environment == "test":
        return Ed25519Signer(os.urandom(32))
    return Ed25519Signer.from_file(settings.checkpoint_key_file)


def build_core(settings: Settings, clock: Clock = system_clock,
               gateway: PaymentGateway | None = None) -> Core:
    db = parse_database(settings.database_url, settings.db_schema)
    ledger = Ledger(db)
    read_db = read_model_db(db)
    runner = ProjectionRunner(ledger, read_db, all_projections(),
                              followed_elsewhere=settings.projections_followed_elsewhere)
    queries = LedgerQueries(read_db)
    reads = replica_reads(settings, db, read_db, runner)  # what the API reads from
    simulator = None
    if gateway is None:
        gateway, simulator = payment_gateway(settings, read_db, clock)
    fees = fee_schedule(settings)
    spending = Spending(ledger, fees, clock, window_s=settings.group_commit_window_ms / 1000,
                        max_batch=settings.group_commit_max_batch,
                        writers=settings.group_commit_writers,
                        cache_bytes=settings.aggregate_cache_mb * 2**20)
    purchases = TokenPurchases(ledger, gateway, queries, clock, settings.public_url,
                               settings.dispute_fee_minor,
                               timedelta(days=settings.wallet_lot_archive_days))
    onboarding = CreatorOnboarding(ledger, gateway, clock, settings.public_url)
    policy = StrikePolicy(strike_ttl=timedelta(days=settings.strike_ttl_days),
                          suspend_at_active=settings.suspend_at_active_strikes)
    model = chat_model(settings)
    opinions = SecondOpinions(model)
    personas = Personas(ledger, clock, SafetyChecks(load_tables(settings.safety_language_dir)),
                        settings.persona_limit, opinions,
                        settings.safety_model_gate_confidence)
    subscription_queries = SubscriptionQueries(read_db)
    subscriptions = Subscriptions(ledger, gateway, clock, settings.public_url,
                                  timedelta(hours=settings.subscription_grace_hours))
    content_queries = ContentQueries(read_db)
    payout_queries = PayoutQueries(read_db)
    releases = HoldReleases(ledger, queries, clock)
    media_store = media_store_for(settings)
    media_urls = MediaUrlSigner(settings.jwt_secret, settings.media_url_ttl_seconds)
    images = PillowImages(settings.media_max_image_pixels)
    videos = FfmpegVideos()
    video_worker = PrepareInBackground()
    library = ContentLibrary(
        ledger, clock, personas, subscriptions, media_store, media_urls,
        content_queries.offers_opening,
        MediaLimits(settings.media_max_image_bytes, settings.media_max_video_bytes,
                    settings.media_max_video_seconds), images, videos, video_worker)
    video_worker.preparation = VideoPreparation(ledger, media_store, videos, images, clock,
                                                content_queries.processing_items)
    billing = BillingEvents(ledger, fees, clock, subscription_queries, settings.dispute_fee_minor)
    chat_queries = ChatQueries(read_db)

    def conversation(policy: CompanionPolicy | IntimatePolicy) -> Conversation:
        return Conversation(policy, ledger, spending, subscriptions, personas, model,
                            chat_queries, clock,
                            history_limit=settings.chat_history_messages,
                            reply_deadline_s=settings.chat_reply_deadline_seconds,
                            gate_confidence=settings.safety_model_gate_confidence,
                            review_sample=settings.safety_chat_review_sample)
    age_verifications = AgeVerifications(ledger, gateway, clock, settings.public_url)
    checkpoints = Checkpoints(ledger, lambda: checkpoint_signer(settings), clock)
    return Core(
        settings=settings, ledger=ledger, read_db=read_db, reads=reads, projections=runner,
        queries=LedgerQueries(reads) if reads is not read_db else queries,
        admin_queries=AdminQueries(reads),
        audit_log=AuditLog(ledger, AdminQueries(read_db)),
        gateway=gateway, simulator=simulator, fees=fees, spending=spending, purchases=purchases,
        holds=releases, creators=Creators(ledger, clock),
        onboarding=onboarding, moderation=Moderation(ledger, clock, policy, opinions),
        stripe_events=StripeEvents(ledger, clock, [purchases, billing, onboarding,
                                                   ConnectEvents(ledger, clock),
                                                   age_verifications]),
        personas=personas,
        persona_queries=PersonaQueries(reads),
        acknowledgements=TipAcknowledgements(ledger, model, clock),
        wallets=WalletAdministration(ledger, clock),
        ppv=PayPerView(ledger, clock, personas, spending, library, settings.ppv_min_tokens,
                       settings.ppv_max_tokens),
        ppv_queries=PpvQueries(reads),
        subscriptions=subscriptions, subscription_queries=SubscriptionQueries(reads),
        library=library, content_queries=ContentQueries(reads),
        videos=video_worker.preparation, video_worker=video_worker,
        persona_images=PersonaImages(personas, images, media_store, media_urls, clock,
                                     settings.media_max_image_bytes),
        # Against files' own times: the file system's clock, whatever the ledger's is.
        media_sweep=MediaSweep(media_store, content_queries.stored_hashes,
                               lambda: datetime.now(UTC), runner.catch_up),
        payouts=Payouts(ledger, gateway, clock, releases, payout_queries,
                        settings.payout_minimum_minor, runner.catch_up,
                        max_bank_attempts=settings.payout_max_bank_attempts),
        payout_queries=PayoutQueries(reads),
        chat_modes=ChatModes(ledger, personas, clock),
        companion_chat=CompanionChat(conversation(CompanionPolicy()), ledger, personas, clock),
        intimate_chat=conversation(IntimatePolicy(ledger)) if settings.intimate_chat_enabled
        else None,
        age_verifications=age_verifications, chat_queries=chat_queries,
        stale_turns=StaleTurns(ledger, chat_queries, subscriptions, clock,
                               timedelta(minutes=settings.chat_stale_turn_minutes)),
        clock=clock,
        replays=ReplayWorkers(db, settings.replay_processes),
        checkpoints=checkpoints, scheduled=ScheduledJobs(JobLocks(db)),
        audit_exports=AuditExports(
            ledger, checkpoints, queries.hold_ids,
            lambda since, until, creator: payout_rebuild(read_db, since, until, creator)),
    )
