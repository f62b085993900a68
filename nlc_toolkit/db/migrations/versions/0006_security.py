"""security: one-time passwords that expire, sign-in throttling, invitations as the only
respondent-row grant, one participant per device, facilitators assigned to cities

Revision ID: 0006
Revises: 0005
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("password_expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("password_is_demo", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=100), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    with op.batch_alter_table("respondent") as batch:
        batch.add_column(sa.Column("invited", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Rows that could only exist by invitation keep granting access: an account whose role or city
    # does not give it the assessment (a ministry respondent, a colleague from elsewhere).
    op.execute(
        "UPDATE respondent SET invited = TRUE WHERE user_id IN (SELECT u.id FROM app_user u WHERE u.role = 'respondent') "
        "OR (user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM app_user u JOIN assessment a ON a.id = respondent.assessment_id "
        "WHERE u.id = respondent.user_id AND u.city_id = a.city_id))"
    )
    with op.batch_alter_table("participant") as batch:
        batch.add_column(sa.Column("device", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_participant_workshop_device", ["workshop_id", "device"])
    op.create_table(
        "facilitator_city",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("city_id", sa.Integer(), sa.ForeignKey("city.id", ondelete="CASCADE"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("facilitator_city")
    with op.batch_alter_table("participant") as batch:
        batch.drop_constraint("uq_participant_workshop_device", type_="unique")
        batch.drop_column("device")
    with op.batch_alter_table("respondent") as batch:
        batch.drop_column("invited")
    op.drop_table("login_throttle")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("password_is_demo")
        batch.drop_column("password_expires_at")
        batch.drop_column("must_change_password")
