"""Join the negotiation, ENE + documents, and web-session branches into one head.

Revision ID: 0007
Revises: 0003, 0005, 0006
Create Date: 2026-11-22 20:40:00
"""

from __future__ import annotations

revision = "0007"
down_revision = ("0003", "0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the branches touch separate tables."""


def downgrade() -> None:
    """Nothing to change: downgrading below this point splits into the branches."""
