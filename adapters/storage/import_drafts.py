"""Import drafts: a parsed plan waiting between upload and confirm (engine/plan_import.py).

Kept in the database, not the session cookie: a plan of a hundred tasks is larger
than a cookie, and a reload or a second tab must find the same draft. The table is
declared on the shared `metadata`, beside the others, and created by migration 0004.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, Table, delete, select, update
from sqlalchemy.orm import Session

from adapters.storage.orm import metadata
from engine import unit_of_work as ports

import_drafts = Table(
    "import_drafts", metadata,
    Column("id", Integer, primary_key=True),
    Column("created_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("source_name", String(255), nullable=False, default=""),
    Column("data", JSON, nullable=False),
)


class ImportDraftRepository(ports.ImportDraftRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, created_by: int, created_at: datetime, source_name: str, data: dict[str, Any]) -> int:
        statement = import_drafts.insert().values(created_by=created_by, created_at=created_at,
                                                  source_name=source_name, data=data)
        return self.session.execute(statement).inserted_primary_key[0]

    def get(self, draft_id: int) -> dict[str, Any] | None:
        row = self.session.execute(select(import_drafts).where(import_drafts.c.id == draft_id)).first()
        return dict(row._mapping) if row else None

    def update(self, draft_id: int, data: dict[str, Any]) -> None:
        self.session.execute(update(import_drafts).where(import_drafts.c.id == draft_id).values(data=data))

    def delete(self, draft_id: int) -> None:
        self.session.execute(delete(import_drafts).where(import_drafts.c.id == draft_id))
