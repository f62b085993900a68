"""stored scores packed for the network view: score_layout, assessment_score.layout and .packed

The network view reads the stored scores of every approved assessment at once; decoding their
JSON (domains and levels) was most of a fresh process's time. The same numbers are now also kept
as one packed float64 array per assessment, in the order of a small shared layout. Existing rows
are packed here from their JSON, so the view never needs the answers of an approved assessment.

Revision ID: 0007
Revises: 0006
"""
import base64
import hashlib
import json
from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(domains: list, questions: list) -> str:  # as db/scores.layout_key
    return hashlib.sha1(json.dumps([domains, questions], separators=(",", ":")).encode()).hexdigest()


def upgrade() -> None:
    op.create_table(
        "score_layout",
        sa.Column("key", sa.String(length=40), primary_key=True),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
    )
    with op.batch_alter_table("assessment_score") as batch:
        batch.add_column(sa.Column("layout", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("packed", sa.Text(), nullable=True))
        batch.create_foreign_key("fk_assessment_score_layout", "score_layout", ["layout"], ["key"])

    bind = op.get_bind()
    score = sa.table("assessment_score", sa.column("assessment_id", sa.Integer), sa.column("domains", sa.JSON),
                     sa.column("levels", sa.JSON), sa.column("layout", sa.String), sa.column("packed", sa.Text))
    assessment = sa.table("assessment", sa.column("id", sa.Integer), sa.column("questionnaire_version_id", sa.Integer))
    layout = sa.table("score_layout", sa.column("key", sa.String), sa.column("domains", sa.JSON),
                      sa.column("questions", sa.JSON))
    rows = bind.execute(sa.select(score.c.assessment_id, score.c.domains, score.c.levels,
                                  assessment.c.questionnaire_version_id)
                        .join(assessment, assessment.c.id == score.c.assessment_id)).all()
    by_version: dict = {}
    for row in rows:
        by_version.setdefault(row.questionnaire_version_id, []).append(row)
    layouts, updates = {}, []
    for group in by_version.values():
        # The ids in first-seen order; a question with no level anywhere is simply absent (NaN).
        domains = list(dict.fromkeys(k for row in group for k in (row.domains or {})))
        questions = list(dict.fromkeys(k for row in group for k in (row.levels or {})))
        key = _key(domains, questions)
        layouts[key] = {"key": key, "domains": domains, "questions": questions}
        for row in group:
            values = [(row.domains or {}).get(d) for d in domains] + [(row.levels or {}).get(x) for x in questions]
            array = np.array([np.nan if v is None else float(v) for v in values], dtype="<f8")
            updates.append({"score_id": row.assessment_id, "new_layout": key,
                            "new_packed": base64.b64encode(array.tobytes()).decode("ascii")})
    if layouts:
        bind.execute(layout.insert(), list(layouts.values()))
    if updates:
        bind.execute(score.update().where(score.c.assessment_id == sa.bindparam("score_id"))
                     .values(layout=sa.bindparam("new_layout"), packed=sa.bindparam("new_packed")), updates)


def downgrade() -> None:
    with op.batch_alter_table("assessment_score") as batch:
        batch.drop_constraint("fk_assessment_score_layout", type_="foreignkey")
        batch.drop_column("packed")
        batch.drop_column("layout")
    op.drop_table("score_layout")
