"""reports: which source named the agency (identity_source), template era (pre2019)

Revision ID: 0006
Revises: 0005_views
Create Date: 2026-12-06 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005_views'
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_source', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('template', sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('template')
        batch_op.drop_column('identity_source')
