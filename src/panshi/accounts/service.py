"""Departments, user accounts, web sign-in and API tokens."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from panshi.accounts.models import ApiToken, Department, User, WebSession
from panshi.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from panshi.accounts.schemas import Principal, Role
from panshi.core.errors import NotAuthenticated, NotFound, PanshiError
from panshi.core.security import new_token, token_hash
from panshi.core.settings import get_settings
from panshi.core.timeutil import utcnow
from panshi.identifiers import check_uscc

# Which bindings each role needs: a department for department and government users, a subject for subjects.
NEEDS_DEPARTMENT = {Role.department, Role.government}
ACCOUNT_ROLES = (Role.operator, Role.department, Role.government, Role.subject)
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")


class BadAccount(PanshiError):
    code = "bad_account"


# --- departments ---------------------------------------------------------------------------------


def count_departments(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Department)) or 0


def departments_by_id(session: Session, ids: Iterable[int]) -> dict[int, Department]:
    """Departments by id (for showing where records came from)."""
    return {d.id: d for d in session.scalars(select(Department).where(Department.id.in_(set(ids))))}


def list_departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.name)))


def get_department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound(f"未找到编号为 {department_id} 的数据来源单位")
    return department


def department_by_uscc(session: Session, uscc: str) -> Department:
    checked = check_uscc(uscc)
    department = session.scalar(select(Department).where(Department.uscc == checked.normal))
    if department is None:
        raise NotFound(f"未找到统一社会信用代码为 {uscc} 的数据来源单位；请先登记该单位")
    return department


def add_department(session: Session, *, name: str, uscc: str) -> tuple[Department, str]:
    """Register a department (or find it by its USCC) and issue a new department token."""
    department = register_department(session, name=name, uscc=uscc)
    token = issue_token(session, role=Role.department, department_id=department.id, label=name)
    return department, token


def register_department(session: Session, *, name: str, uscc: str) -> Department:
    """The department of a USCC, registered on first sight."""
    checked = check_uscc(uscc)
    if not checked.valid:
        raise PanshiError("; ".join(i.message for i in checked.errors), code="bad_uscc")
    department = session.scalar(select(Department).where(Department.uscc == checked.normal))
    if department is None:
        department = Department(name=name.strip(), uscc=checked.normal, region_code=checked.normal[2:8],
                                created_at=utcnow())  # fmt: skip
        session.add(department)
        session.flush()
    return department


# --- users and web sessions ----------------------------------------------------------------------


def add_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    department_id: int | None = None,
    subject_code: str | None = None,
) -> User:
    """Create an account; its role decides which binding (department or subject) it must have."""
    role_ = _role(role)
    if role_ is Role.public:
        raise BadAccount("社会公众无需账号")
    if not USERNAME.match(username):
        raise BadAccount("用户名须为 3–64 位字母、数字或 _ . @ -")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadAccount(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise BadAccount(f"用户名 {username} 已存在")
    if role_ in NEEDS_DEPARTMENT:
        if department_id is None:
            raise BadAccount("数据来源单位用户和政务查询用户须指定所属单位")
        get_department(session, department_id)
    elif department_id is not None:
        raise BadAccount(f"{role_.value} 账号不属于任何单位")
    subject_key = None
    if role_ is Role.subject:
        if not subject_code:
            raise BadAccount("信用主体用户须绑定统一社会信用代码或身份证号码")
        subject_key = subject_key_for(subject_code)
    elif subject_code:
        raise BadAccount("只有信用主体用户绑定主体代码")
    user = User(
        username=username, display_name=display_name.strip() or username, password_hash=hash_password(password),
        role=role_.value, department_id=department_id, subject_key=subject_key, active=True, created_at=utcnow(),
    )  # fmt: skip
    session.add(user)
    session.flush()
    return user


def subject_key_for(code: str) -> str:
    """The subject key a subject account binds to: its USCC or its ID number (keyed hash)."""
    from panshi.subjects.service import subject_key_of_code

    try:
        return subject_key_of_code(code)
    except PanshiError as exc:
        raise BadAccount(exc.message) from None


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.username)))


def set_user_active(session: Session, *, user_id: int, active: bool) -> User:
    """Enable or disable an account; disabling signs it out everywhere."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"未找到编号为 {user_id} 的账号")
    user.active = active
    if not active:
        session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    session.flush()
    return user


def sign_in(session: Session, *, username: str, password: str) -> str:
    """Check a password and open a web session; returns the cookie's token (only its hash is stored)."""
    user = session.scalar(select(User).where(User.username == username))
    if not verify_password(user.password_hash if user else None, password) or user is None or not user.active:
        raise NotAuthenticated("用户名或密码错误，或账号已停用")
    now = utcnow()
    token = new_token()
    session.execute(delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at < now))
    session.add(WebSession(token_hash=token_hash(token), user_id=user.id, created_at=now,
                           expires_at=now + timedelta(hours=get_settings().session_hours)))  # fmt: skip
    user.last_login_at = now
    session.flush()
    return token


def sign_out(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def session_principal(session: Session, token: str | None) -> Principal | None:
    """The signed-in user behind a session cookie, or None (unknown, tampered or expired cookie)."""
    if not token or len(token) > 200:
        return None
    row = session.execute(
        select(User, Department)
        .join(WebSession, WebSession.user_id == User.id)
        .outerjoin(Department, Department.id == User.department_id)
        .where(WebSession.token_hash == token_hash(token), WebSession.expires_at > utcnow(), User.active)
    ).first()
    if row is None:
        return None
    user, department = row
    return Principal(
        role=Role(user.role), actor=f"user:{user.username}", display_name=user.display_name, user_id=user.id,
        subject_key=user.subject_key, via_cookie=True, **_department_fields(department),
    )  # fmt: skip


def principal_of_user(session: Session, username: str) -> Principal | None:
    """An active user's principal, for work the platform does on that account's behalf (the demo)."""
    row = session.execute(
        select(User, Department)
        .outerjoin(Department, Department.id == User.department_id)
        .where(User.username == username, User.active)
    ).first()
    if row is None:
        return None
    user, department = row
    return Principal(
        role=Role(user.role), actor=f"user:{user.username}", display_name=user.display_name, user_id=user.id,
        subject_key=user.subject_key, **_department_fields(department),
    )  # fmt: skip


# --- API tokens ----------------------------------------------------------------------------------


def issue_token(
    session: Session,
    *,
    role: str,
    department_id: int | None = None,
    subject_code: str | None = None,
    label: str = "",
) -> str:
    """A new API token scoped to a role (and department or subject); only its hash is stored."""
    role_ = _role(role)
    if role_ is Role.public:
        raise BadAccount("公众访问无需令牌")
    if role_ in NEEDS_DEPARTMENT and department_id is None:
        raise BadAccount(f"{role_.value} 令牌须指定所属单位")
    if role_ in NEEDS_DEPARTMENT:
        get_department(session, department_id or 0)
    subject_key = subject_key_for(subject_code) if role_ is Role.subject and subject_code else None
    if role_ is Role.subject and subject_key is None:
        raise BadAccount("信用主体令牌须绑定主体代码")
    token = new_token()
    session.add(ApiToken(token_hash=token_hash(token), role=role_.value, department_id=department_id,
                         subject_key=subject_key, label=label, created_at=utcnow()))  # fmt: skip
    session.flush()
    return token


def list_tokens(session: Session) -> list[tuple[ApiToken, Department | None]]:
    query = (
        select(ApiToken, Department)
        .outerjoin(Department, Department.id == ApiToken.department_id)
        .order_by(ApiToken.id)
    )
    return [(t, d) for t, d in session.execute(query)]


def revoke_token(session: Session, token_id: int) -> None:
    """Revoke a token at once; revoking twice is harmless."""
    found: Any = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if found.rowcount == 0 and session.get(ApiToken, token_id) is None:
        raise NotFound(f"未找到编号为 {token_id} 的令牌")


def authenticate(session: Session, token: str | None) -> Principal:
    """The principal of a bearer token, or NotAuthenticated."""
    if not token:
        raise NotAuthenticated("缺少 API 令牌：请在请求头中提供 Authorization: Bearer <token>")
    row = session.execute(
        select(ApiToken, Department)
        .outerjoin(Department, Department.id == ApiToken.department_id)
        .where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None:
        raise NotAuthenticated("API 令牌无效或已吊销")
    api_token, department = row
    return Principal(
        role=Role(api_token.role), actor=f"token:{api_token.id}",
        display_name=api_token.label or f"令牌 {api_token.id}", token_id=api_token.id,
        subject_key=api_token.subject_key, **_department_fields(department),
    )  # fmt: skip


def _department_fields(department: Department | None) -> dict[str, Any]:
    if department is None:
        return {}
    return {
        "department_id": department.id,
        "department_uscc": department.uscc,
        "department_name": department.name,
    }


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise BadAccount(f"未知角色 {role!r}；可选：{', '.join(r.value for r in ACCOUNT_ROLES)}") from None
