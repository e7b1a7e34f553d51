"""agency registry; baseline alert events

Revision ID: 0004_agencies
Revises: 0003
Create Date: 2026-12-06 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = '0004_agencies'
down_revision: str | None = '0003'
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('division_code', sa.String(length=6), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('parent', sa.String(length=255), nullable=True),
    sa.Column('portal_url', sa.Text(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agencies_division_code'), ['division_code'], unique=False)
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('baseline', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.drop_column('baseline')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agencies_division_code'))
    op.drop_table('agencies')
