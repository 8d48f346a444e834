"""Departments and API tokens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panshi.accounts.models import ApiToken, Department
from panshi.core.errors import NotAuthenticated, PanshiError
from panshi.core.security import new_token, token_hash
from panshi.core.timeutil import utcnow
from panshi.identifiers import check_uscc

ROLES = ("operator", "department")


@dataclass(frozen=True)
class Principal:
    """Who is calling: a role, and the department for department tokens."""

    role: str
    token_id: int
    department_id: int | None = None
    department_uscc: str | None = None
    department_name: str | None = None

    @property
    def actor(self) -> str:
        return f"token:{self.token_id}"


def count_departments(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Department)) or 0


def departments_by_id(session: Session, ids: Iterable[int]) -> dict[int, Department]:
    """Departments by id (for showing where records came from)."""
    return {d.id: d for d in session.scalars(select(Department).where(Department.id.in_(set(ids))))}


def add_department(session: Session, *, name: str, uscc: str) -> tuple[Department, str]:
    """Register a department (or find it by its USCC) and issue a new department token."""
    checked = check_uscc(uscc)
    if not checked.valid:
        raise PanshiError("; ".join(i.message for i in checked.errors), code="bad_uscc")
    department = session.scalar(select(Department).where(Department.uscc == checked.normal))
    if department is None:
        department = Department(name=name.strip(), uscc=checked.normal, region_code=checked.normal[2:8],
                                created_at=utcnow())  # fmt: skip
        session.add(department)
        session.flush()
    token = issue_token(session, role="department", department_id=department.id, label=name)
    return department, token


def issue_token(session: Session, *, role: str, department_id: int | None = None, label: str = "") -> str:
    """A new API token; only its hash is stored, so this is the only time it is seen."""
    if role not in ROLES:
        raise PanshiError(f"unknown role {role!r}; one of {', '.join(ROLES)}", code="bad_role")
    if role == "department" and department_id is None:
        raise PanshiError("a department token needs a department", code="bad_role")
    token = new_token()
    session.add(ApiToken(token_hash=token_hash(token), role=role, department_id=department_id, label=label,
                         created_at=utcnow()))  # fmt: skip
    session.flush()
    return token


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
        role=api_token.role, token_id=api_token.id,
        department_id=department.id if department else None,
        department_uscc=department.uscc if department else None,
        department_name=department.name if department else None,
    )  # fmt: skip
