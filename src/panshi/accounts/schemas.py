"""Who is asking: the role and bindings every access decision starts from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Role(StrEnum):
    """The roles of DESIGN §1; anything not granted to a role is denied."""

    public = "public"  # 社会公众 (anonymous)
    operator = "operator"  # 平台运营人员（信用中心）
    department = "department"  # 数据来源单位用户
    government = "government"  # 政务查询用户（其他部门）
    subject = "subject"  # 信用主体用户（企业或个人）


ROLE_LABELS = {
    Role.public: "社会公众",
    Role.operator: "平台运营人员",
    Role.department: "数据来源单位",
    Role.government: "政务查询用户",
    Role.subject: "信用主体",
}


@dataclass(frozen=True)
class Principal:
    """The caller: a role, and the department or subject it is bound to."""

    role: Role
    actor: str  # user:<username> | token:<id> | anonymous
    display_name: str = "社会公众"
    user_id: int | None = None
    token_id: int | None = None
    department_id: int | None = None
    department_uscc: str | None = None
    department_name: str | None = None
    subject_key: str | None = None  # subject users only
    via_cookie: bool = False  # signed in on the web (unsafe requests then need a CSRF token)

    @property
    def is_public(self) -> bool:
        return self.role is Role.public

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


PUBLIC = Principal(role=Role.public, actor="anonymous")


class AccountIn(BaseModel):
    """A new account (operators create them; the first operator comes from `panshi account add`)."""

    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=10, max_length=200)
    role: Role
    display_name: str = Field(default="", max_length=200)
    department_id: int | None = None
    subject_code: str | None = Field(
        default=None, max_length=64, description="USCC or ID number (subject users)"
    )


class AccountOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    department_id: int | None
    bound_to_subject: bool
    active: bool
    created_at: datetime
    last_login_at: datetime | None


class TokenIn(BaseModel):
    role: Role
    label: str = Field(default="", max_length=200)
    department_id: int | None = None
    subject_code: str | None = Field(default=None, max_length=64)


class TokenOut(BaseModel):
    id: int
    role: Role
    label: str
    department_id: int | None
    department_name: str | None
    created_at: datetime
    revoked_at: datetime | None


class IssuedToken(BaseModel):
    token: str = Field(description="Shown once; only its hash is kept")


class WhoAmI(BaseModel):
    role: Role
    role_label: str
    actor: str
    display_name: str
    department_id: int | None
    department_name: str | None
