"""alert_channels: when each delivery channel was added (its backlog) and its last digest

Revision ID: 0007_alert_channels
Revises: 0006
Create Date: 2026-12-06 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = '0007_alert_channels'
down_revision: str | None = '0006'
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        'alert_channels',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_digest_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('alert_channels')
