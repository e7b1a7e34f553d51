"""crash-safe frontier, run locks, seed key of a run

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        'frontier',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=40), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('request', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('run_id', 'fingerprint', name='uq_frontier_run_fingerprint'),
    )
    with op.batch_alter_table('frontier', schema=None) as batch_op:
        batch_op.create_index('ix_frontier_run_state', ['run_id', 'state'], unique=False)
    op.create_table(
        'run_locks',
        sa.Column('seed_key', sa.String(length=40), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('holder', sa.String(length=255), nullable=False),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('seed_key'),
    )
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed_key', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_crawl_runs_seed_key'), ['seed_key'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_runs_seed_key'))
        batch_op.drop_column('seed_key')
    op.drop_table('run_locks')
    with op.batch_alter_table('frontier', schema=None) as batch_op:
        batch_op.drop_index('ix_frontier_run_state')
    op.drop_table('frontier')
