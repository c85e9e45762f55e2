"""Small builders for test data, so tests say what matters and nothing else."""

from __future__ import annotations

from itertools import count

from sqlalchemy.orm import Session

from models import Case, CaseSource, CaseStatus, Role, Street, User, next_case_number

_serial = count(1)

SQUARE = {"type": "Polygon", "coordinates": [[[116.30, 39.90], [116.31, 39.90], [116.31, 39.91], [116.30, 39.91], [116.30, 39.90]]]}


def make_user(session: Session, role: Role, name: str | None = None, **fields: object) -> User:
    user = User(name=name or f"{role.label}{next(_serial)}", role=role, **fields)
    session.add(user)
    session.flush()
    return user


def make_street(session: Session, code: str = "JD01", name: str = "测试街道", polygon: dict | None = None) -> Street:
    street = Street(code=code, name=name, polygon=polygon or SQUARE)
    session.add(street)
    session.flush()
    return street


def make_case(
    session: Session, status: CaseStatus = CaseStatus.REPORTED, source: CaseSource = CaseSource.SNAPSHOT,
    **fields: object,
) -> Case:
    case = Case(number=next_case_number(session), source=source, category_code="E0102", status=status, **fields)
    session.add(case)
    session.flush()
    return case
