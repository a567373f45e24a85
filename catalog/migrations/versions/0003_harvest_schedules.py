"""harvest schedules, heartbeats and one running job per source

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import catalog.models

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNING = sa.text("status = 'running'")


def upgrade() -> None:
    with op.batch_alter_table('harvestsource', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schedule', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
    with op.batch_alter_table('harvestjob', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat', catalog.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('attempt', sa.Integer(), server_default='1', nullable=False))
    op.create_index('uq_harvestjob_running_source', 'harvestjob', ['source_id'], unique=True,
                    sqlite_where=RUNNING, postgresql_where=RUNNING)


def downgrade() -> None:
    op.drop_index('uq_harvestjob_running_source', table_name='harvestjob')
    with op.batch_alter_table('harvestjob', schema=None) as batch_op:
        batch_op.drop_column('attempt')
        batch_op.drop_column('heartbeat')
    with op.batch_alter_table('harvestsource', schema=None) as batch_op:
        batch_op.drop_column('schedule')
