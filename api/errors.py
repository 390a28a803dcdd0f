"""Every error leaves as {"error": {"code", "message"}} with a status that fits it."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import DomainError

STATUS_BY_CODE = {
    "checkpoint_not_found": 404,
    "ledger_rewritten": 409,
    "acknowledgement_required": 409,
    "second_reviewer_required": 409,
    "invalid_checkpoint_range": 422,
    "before_first_event": 422,
    "invalid_amount": 422,
    "self_tip": 422,
    "unknown_pack": 422,
    "insufficient_funds": 402,
    "wallet_frozen": 409,
    "unknown_creator": 404,
    "creator_cannot_receive": 409,
    "idempotency_key_reused": 409,
    "concurrency_conflict": 409,
    "invalid_transition": 409,
    "hold_not_due": 409,
    "invalid_signature": 400,
    "payment_provider_error": 502,
    "payment_refused": 502,
    "underage": 422,
    "invalid_onboarding_data": 422,
    "invalid_report": 422,
    "onboarding_incomplete": 409,
    "onboarding_not_started": 409,
    "declaration_mismatch": 409,
    "self_moderation": 403,
    "unknown_report": 404,
    "unknown_strike": 404,
    "blocked_terms": 422,
    "invalid_persona": 422,
    "invalid_persona_image": 422,
    "invalid_tag": 422,
    "invalid_blocked_term": 422,
    "persona_limit": 409,
    "creator_not_approved": 403,
    "unknown_persona": 404,
    "not_your_persona": 403,
    "unknown_tip": 404,
    "unknown_wallet": 404,
    "unknown_offer": 404,
    "already_unlocked": 409,
    "unlock_revoked": 409,
    "price_changed": 409,
    "invalid_offer": 422,
    "reason_required": 422,
    "model_provider_error": 502,
    "already_subscribed": 409,
    "not_subscribed": 409,
    "own_persona": 422,
    "media_too_large": 413,
    "unsupported_media_type": 415,
    "unknown_media": 404,
    "media_locked": 403,
    "media_not_ready": 409,
    "video_too_long": 422,
    "unplayable_video": 422,
    "video_unavailable": 503,
    "invalid_media": 422,
    "unreadable_image": 422,
    "media_taken_down": 409,
    "invalid_post": 422,
    "unknown_post": 404,
    "chat_unavailable": 404,
    "age_verification_required": 403,
    "invalid_chat_modes": 422,
    "intimate_not_approved": 403,
    "invalid_personality": 422,
    "duplicate_message": 409,
    "allowance_used_up": 409,
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str,
                 retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.retry_after_s = retry_after_s


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        extra = {"details": error.details} if error.details else {}
        return JSONResponse(error_body(error.code, error.message, **extra),
                            status_code=STATUS_BY_CODE.get(error.code, 400))

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        headers = {"Retry-After": str(error.retry_after_s)} if error.retry_after_s else None
        return JSONResponse(error_body(error.code, error.message), status_code=error.status,
                            headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        details = [{"field": ".".join(str(p) for p in e["loc"][1:]), "problem": e["msg"]}
                   for e in error.errors()]
        message = "; ".join(f"{d['field'] or 'body'}: {d['problem']}" for d in details)
        return JSONResponse(error_body("invalid_request", message, details=details),
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return JSONResponse(error_body(code, str(error.detail)), status_code=error.status_code)
