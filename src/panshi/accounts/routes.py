"""HTTP (JSON): accounts and API tokens (operators), and who the caller is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from panshi.accounts import service
from panshi.accounts.models import User
from panshi.accounts.schemas import (
    AccountIn,
    AccountOut,
    IssuedToken,
    Principal,
    Role,
    TokenIn,
    TokenOut,
    WhoAmI,
)
from panshi.api.deps import IdPath, ReadSession, WriteSession, caller, operator

router = APIRouter(prefix="/api/v1", tags=["accounts 账号与令牌"])


def account_out(user: User) -> AccountOut:
    return AccountOut(
        id=user.id, username=user.username, display_name=user.display_name, role=Role(user.role),
        department_id=user.department_id, bound_to_subject=user.subject_key is not None, active=user.active,
        created_at=user.created_at, last_login_at=user.last_login_at,
    )  # fmt: skip


@router.get("/whoami", response_model=WhoAmI)
def whoami(who: Annotated[Principal, Depends(caller)]) -> WhoAmI:
    """The caller's role and bindings (the anonymous public included)."""
    return WhoAmI(
        role=who.role, role_label=who.role_label, actor=who.actor, display_name=who.display_name,
        department_id=who.department_id, department_name=who.department_name,
    )  # fmt: skip


@router.get("/accounts", response_model=list[AccountOut])
def list_accounts(_who: Annotated[Principal, Depends(operator)], session: ReadSession) -> list[AccountOut]:
    """Every account (operators)."""
    return [account_out(u) for u in service.list_users(session)]


@router.post("/accounts", response_model=AccountOut, status_code=201)
def add_account(
    body: AccountIn,
    _who: Annotated[Principal, Depends(operator)],
    session: WriteSession,
) -> AccountOut:
    """Create an account (operators)."""
    user = service.add_user(
        session, username=body.username, password=body.password, role=body.role, display_name=body.display_name,
        department_id=body.department_id, subject_code=body.subject_code,
    )  # fmt: skip
    return account_out(user)


@router.post("/accounts/{user_id}/disable", response_model=AccountOut)
def disable_account(
    user_id: IdPath,
    _who: Annotated[Principal, Depends(operator)],
    session: WriteSession,
) -> AccountOut:
    """Disable an account and sign it out everywhere (operators)."""
    return account_out(service.set_user_active(session, user_id=user_id, active=False))


@router.post("/accounts/{user_id}/enable", response_model=AccountOut)
def enable_account(
    user_id: IdPath,
    _who: Annotated[Principal, Depends(operator)],
    session: WriteSession,
) -> AccountOut:
    """Enable a disabled account (operators)."""
    return account_out(service.set_user_active(session, user_id=user_id, active=True))


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(_who: Annotated[Principal, Depends(operator)], session: ReadSession) -> list[TokenOut]:
    """Every API token, revoked ones included (operators); the tokens themselves are never shown again."""
    return [
        TokenOut(
            id=t.id,
            role=Role(t.role),
            label=t.label,
            department_id=t.department_id,
            department_name=d.name if d else None,
            created_at=t.created_at,
            revoked_at=t.revoked_at,
        )  # fmt: skip
        for t, d in service.list_tokens(session)
    ]


@router.post("/tokens", response_model=IssuedToken, status_code=201)
def issue_token(
    body: TokenIn,
    _who: Annotated[Principal, Depends(operator)],
    session: WriteSession,
) -> IssuedToken:
    """Issue an API token scoped to a role and department (operators); shown once."""
    token = service.issue_token(
        session,
        role=body.role,
        department_id=body.department_id,
        subject_code=body.subject_code,
        label=body.label,
    )
    return IssuedToken(token=token)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(
    token_id: IdPath,
    _who: Annotated[Principal, Depends(operator)],
    session: WriteSession,
) -> None:
    """Revoke an API token at once (operators)."""
    service.revoke_token(session, token_id)
