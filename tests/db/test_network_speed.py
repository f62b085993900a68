"""The network view reads fast and the same (issue 13): a fresh read takes the stored scores packed
(no answer, no JSON of a stored score decoded), gives what scoring the answers gives, and a warm
read takes two narrow queries; rows stored before the packing (migration 0007) are packed by it; a stored row
that cannot be read packed is scored in memory, never rewritten by the read."""

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, event, select, update

from nlc_toolkit.core.network import NetworkQuery, common_gaps
from nlc_toolkit.core.policy import Actor
from nlc_toolkit.db.migrate import downgrade, upgrade
from nlc_toolkit.db.models import AssessmentScore, City, ScoreLayout
from nlc_toolkit.db.seed import seed_demo
from nlc_toolkit.db.session import get_engine, session_scope
from nlc_toolkit.services import network

STAFF = Actor(user_id=0, role="network_staff", city_id=None)
QUESTIONNAIRE = "nlc-quick-scan"


@pytest.fixture
def demo(migrated):
    network.forget_cached_frames()
    with session_scope() as s:
        seed_demo(s, cities=10, seed=3, questionnaire=QUESTIONNAIRE, all_rounds=True)
    yield
    network.forget_cached_frames()


@pytest.fixture
def statements():
    seen: list[str] = []

    def on_execute(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.lower().split()))

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", on_execute)
    yield seen
    event.remove(engine, "before_cursor_execute", on_execute)


def _read():
    network.forget_cached_frames()
    with session_scope() as s:
        frame, levels, q = network.network_frame(s, STAFF, QUESTIONNAIRE)
        page = network.view(s, STAFF, QUESTIONNAIRE, NetworkQuery())
    return frame, levels, q, page


def _plain(frame: pd.DataFrame, levels: pd.DataFrame):
    """Comparable forms: the frame by assessment, the levels as {(assessment, question): level}."""
    frame = frame.sort_values("assessment").reset_index(drop=True)
    return frame, {(int(a), str(x)): float(v) for a, x, v in levels.itertuples(index=False)}


def _scored_from_answers():
    """What the view shows when nothing is stored: every assessment scored from its answers."""
    with session_scope() as s:
        kept = [(row.assessment_id, row.layout, row.packed) for row in s.scalars(select(AssessmentScore))]
        s.execute(update(AssessmentScore).values(packed=None))  # unreadable packed: scored in memory
    fresh = _read()
    with session_scope() as s:
        for assessment_id, layout, packed in kept:
            s.execute(update(AssessmentScore).where(AssessmentScore.assessment_id == assessment_id)
                      .values(layout=layout, packed=packed))
    return fresh


def test_a_fresh_read_takes_the_packed_scores_and_gives_what_the_answers_give(demo, statements):
    frame, levels, _, page = _read()
    sql = list(statements)
    assert not [x for x in sql if " answer " in f"{x} " or "join answer" in x], "a stored score was re-scored"
    # The JSON of the stored scores (one decode per row and column was most of the fresh time) is not read.
    assert not [x for x in sql if "assessment_score.levels" in x or "assessment_score.domains" in x]
    assert str(levels["question"].dtype) == "category" and len(levels) and not levels["level"].isna().any()

    statements.clear()
    fresh_frame, fresh_levels, _, fresh_page = _scored_from_answers()
    assert any("from answer" in x or "join answer" in x for x in statements)  # this one did score the answers
    stored, stored_levels = _plain(frame, levels)
    scored, scored_levels = _plain(fresh_frame, fresh_levels)
    pd.testing.assert_frame_equal(stored[scored.columns], scored, check_exact=True)
    assert stored_levels == scored_levels
    assert page == fresh_page
    # ... and the stored JSON says the same as the packed numbers.
    with session_scope() as s:
        for row in s.scalars(select(AssessmentScore)):
            mine = {x: v for (a, x), v in stored_levels.items() if a == row.assessment_id}
            assert mine == row.levels
            got = stored[stored["assessment"] == row.assessment_id].iloc[0]
            for d, value in row.domains.items():
                assert (value is None and np.isnan(got[d])) or got[d] == value


def test_a_warm_read_is_one_query_and_notices_a_renamed_city(demo, statements):
    _read()
    statements.clear()
    with session_scope() as s:
        frame, _, _ = network.network_frame(s, STAFF, QUESTIONNAIRE)
    # The facts the cache is keyed by (each assessment's id and last update, the cities); nothing else.
    assert len(statements) == 2 and not [x for x in statements if "assessment_score" in x or "answer" in x]
    city_id = int(frame.iloc[0]["city_id"])
    with session_scope() as s:  # a city's facts change without any assessment moving
        s.get(City, city_id).name = "Renamed"
    with session_scope() as s:
        frame, _, _ = network.network_frame(s, STAFF, QUESTIONNAIRE)
    assert set(frame[frame["city_id"] == city_id]["city"]) == {"Renamed"}


def test_a_read_never_writes_and_scores_unreadable_rows_in_memory(demo):
    expected = _plain(*_read()[:2])
    with session_scope() as s:
        broken = s.scalars(select(AssessmentScore.assessment_id).order_by(AssessmentScore.assessment_id)).all()[:2]
        s.execute(update(AssessmentScore).where(AssessmentScore.assessment_id == broken[0]).values(packed="AAAA"))
        s.execute(update(AssessmentScore).where(AssessmentScore.assessment_id == broken[1]).values(packed=None))
        before = {(r.assessment_id, r.packed, r.computed_at) for r in s.scalars(select(AssessmentScore))}
    frame, levels, _, _ = _read()
    got = _plain(frame, levels)
    pd.testing.assert_frame_equal(got[0][expected[0].columns], expected[0], check_exact=True)
    assert got[1] == expected[1]
    with session_scope() as s:
        assert {(r.assessment_id, r.packed, r.computed_at) for r in s.scalars(select(AssessmentScore))} == before


def test_the_migration_packs_scores_stored_before_it(demo):
    expected = _plain(*_read()[:2])
    # Back to revision 0006 (no packed numbers), then up again: 0007 packs the JSON of every row.
    downgrade(revision="0006")
    upgrade()
    with session_scope() as s:
        rows = s.scalars(select(AssessmentScore)).all()
        assert rows and all(row.packed and row.layout for row in rows)
        assert s.scalars(select(ScoreLayout)).all()
    frame, levels, _, _ = _read()
    got = _plain(frame, levels)
    pd.testing.assert_frame_equal(got[0][expected[0].columns], expected[0], check_exact=True)
    assert got[1] == expected[1]
    # A layout already stored is reused by the next store (approval), never duplicated.
    with session_scope() as s:
        from nlc_toolkit.db import scores
        ids = [row.assessment_id for row in s.scalars(select(AssessmentScore))]
        s.execute(delete(AssessmentScore))
        scores.store_scores(s, ids)
        scores.store_scores(s, ids[:1])
        keys = s.scalars(select(ScoreLayout.key)).all()
        assert len(keys) == len(set(keys))


def test_common_gaps_on_question_codes_equal_the_groupby():
    rng = np.random.default_rng(4)
    questions = [f"q{i:02d}" for i in range(30)]
    levels = pd.DataFrame({"assessment": rng.integers(0, 200, 5000),
                           "question": rng.choice(questions[::-1], 5000),
                           "level": rng.integers(0, 9, 5000) / 2})
    levels.loc[::17, "level"] = np.nan
    data = levels.dropna(subset=["level"])  # the groupby the codes replace
    grouped = data.groupby("question")["level"]
    expected = pd.DataFrame({"cities": grouped.size(),
                             "share_low": (np.floor(data["level"]) <= 1).groupby(data["question"]).mean().astype(float),
                             "mean_level": grouped.mean()})
    expected["mean_pct"] = 100 * expected["mean_level"] / 4
    expected = expected.sort_values(["share_low", "mean_level"], ascending=[False, True])
    for frame in (levels, levels.assign(question=pd.Categorical(levels["question"], categories=questions[::-1]))):
        got = common_gaps(frame, 4)
        assert list(got.index) == list(expected.index)
        pd.testing.assert_frame_equal(got, expected, check_exact=True, check_index_type=False)
