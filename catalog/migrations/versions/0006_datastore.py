"""datastore tables: which tabular resources are loaded, with their typed fields

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import catalog.models

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'datastoretable',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resource_id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('dataset_id', sa.Integer(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('source_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('rows', sa.Integer(), nullable=True),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('progress', sa.Float(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('started', catalog.models.UTCDateTime(), nullable=False),
        sa.Column('finished', catalog.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id']),
        sa.ForeignKeyConstraint(['release_id'], ['release.id']),
        sa.ForeignKeyConstraint(['resource_id'], ['resource.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('datastoretable', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_datastoretable_dataset_id'), ['dataset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_datastoretable_release_id'), ['release_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_datastoretable_resource_id'), ['resource_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('datastoretable', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_datastoretable_resource_id'))
        batch_op.drop_index(batch_op.f('ix_datastoretable_release_id'))
        batch_op.drop_index(batch_op.f('ix_datastoretable_dataset_id'))
    op.drop_table('datastoretable')
