"""what a next round carried over from the round it was copied from: assessment.carried_over

A next round may be on a newer questionnaire version. The copy records, once, which answers it
took over, which questions are new and which were dropped, so the editor can see it afterwards.

Revision ID: 0008
Revises: 0007
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: on SQLite, batch mode copies and drops the assessment table,
# and dropping it cascades to every row that references an assessment (foreign keys are on).
def upgrade() -> None:
    op.add_column("assessment", sa.Column("carried_over", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("assessment", "carried_over")
