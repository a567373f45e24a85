"""the errors and warnings of each harvest job, kept per job so later runs do not hide them

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "harvestitemerror",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["harvestjob.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("harvestitemerror", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_harvestitemerror_job_id"), ["job_id"], unique=False)
    # What the items hold now is their last job's history: keep it there.
    items = op.get_bind().execute(
        sa.text(
            "SELECT remote_id, harvestitem.status, errors, last_job_id FROM harvestitem"
            " JOIN harvestjob ON harvestjob.id = harvestitem.last_job_id"
        )
    )
    rows = [
        {
            "job_id": job_id,
            "remote_id": remote_id,
            "status": status,
            "stage": str(error.get("stage", ""))[:20],
            "message": str(error.get("message", "")),
        }
        for remote_id, status, errors, job_id in items
        if status in ("ok", "error")
        for error in (json.loads(errors) if isinstance(errors, str) else errors or [])
    ]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    with op.batch_alter_table("harvestitemerror", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_harvestitemerror_job_id"))
    op.drop_table("harvestitemerror")
