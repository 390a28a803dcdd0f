"""Dependencies shared by the routers: the wired core and the signed-in principal."""

from typing import Annotated

from fastapi import Depends, Request

from api.auth import AuthError, Principal, TokenVerifier, bearer_token
from api.errors import ApiError
from application.bootstrap import Core

# The dependencies are coroutines though they never wait: FastAPI runs a plain function in its
# thread pool, and a hop there and back for each one cost more than the token check itself.

async def get_core(request: Request) -> Core:
    return request.app.state.core  # type: ignore[no-any-return]


async def get_principal(request: Request) -> Principal:
    token = bearer_token(request.headers.get("authorization", ""))
    if token is None:
        raise ApiError(401, "unauthenticated", "send Authorization: Bearer <token>")
    verifier: TokenVerifier = request.app.state.verifier
    try:
        return verifier.verify(token)
    except AuthError as error:
        raise ApiError(401, "unauthenticated", str(error)) from None


async def get_optional_principal(request: Request) -> Principal | None:
    """For pages anyone may read that show more to some: no header reads as anonymous."""
    if not request.headers.get("authorization"):
        return None
    return await get_principal(request)


CoreDep = Annotated[Core, Depends(get_core)]
CurrentUser = Annotated[Principal, Depends(get_principal)]
MaybeUser = Annotated[Principal | None, Depends(get_optional_principal)]


def require(principal: Principal, *roles: str) -> None:
    if not principal.has(*roles):
        raise ApiError(403, "forbidden", f"this needs one of the roles: {', '.join(roles)}")


def subject_or_override(principal: Principal, requested: str | None, *privileged: str) -> str:
    """Users read their own records; privileged roles may name someone else's."""
    if requested is None or requested == principal.user_id:
        return principal.user_id
    if principal.has(*privileged):
        return requested
    raise ApiError(403, "forbidden", "you can only see your own records")


def wait_for_position(core: Core, min_position: int | None) -> None:
    """Read-your-writes: a client that saw position N from a command can ask reads to reach it.

    A position the ledger has not recorded can never be reached: refused at once, not waited on.
    """
    if not min_position:
        return
    head = core.ledger.max_position()
    if min_position > head:
        raise ApiError(422, "position_not_recorded",
                       f"position {min_position} is beyond the ledger's head ({head}); pass a "
                       "position that a command returned")
    if not core.projections.wait_for(min_position, timeout_s=5):
        raise ApiError(503, "projection_lagging", "read models have not caught up with that "
                       "position yet (a read replica may be behind); retry", retry_after_s=1)
