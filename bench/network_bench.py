"""The comparison page's data for a large network: query + scoring + the page's view + figure.

Seeds 1,000 cities x 3 rounds x 3 respondents (detailed questionnaire when present) into a fresh
SQLite file, then times services/network.network_frame, the page's view (core.network.network_view:
filters, sort, one page, benchmark, distribution) and the heatmap figure: with no stored score
(SQL + vectorised scoring of every assessment in memory: a read never stores), storing every
score (db/scores.store_scores, what approval does one at a time), fresh (no frames cached: the
stored scores read back packed), warm (frames cached in the process), and a new Python process's
first request (which also parses the questionnaire's YAML once). Baseline, measured in the same
run: the bare pandas groupby median over the same answer table (the least any scorer must do).
Figures are printed against issue 13's targets: fresh < 300 ms (best of 3), warm < 30 ms (best of 10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
CITIES = int(os.environ.get("NLC_BENCH_CITIES", "1000"))
FRESH_TARGET, WARM_TARGET = 0.300, 0.030  # issue 13: the network page for 1,000 cities
SLOW_FIRST_VIEW = 1.0  # a first view ever (nothing stored) slower than this is called out


def timed(fn, repeat=1):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    folder = tempfile.mkdtemp(prefix="nlc-bench-")
    os.environ["REFLEX_DB_URL"] = f"sqlite:///{folder}/bench.db"
    import pandas as pd
    import plotly.graph_objects as go

    from nlc_toolkit.core import network as net
    from nlc_toolkit.core.policy import Actor
    from nlc_toolkit.db import scores
    from nlc_toolkit.db.migrate import upgrade
    from nlc_toolkit.db.seed import seed_demo
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services import network

    upgrade()
    from harness import machine_speed  # bench/ is on the path: benches run as scripts
    print(machine_speed())
    questionnaire = "nlc-detailed"
    seconds, summary = timed(lambda: _seed(seed_demo, session_scope, questionnaire))
    print(f"seed: {summary} in {seconds:.1f} s")
    staff = Actor(user_id=0, role="network_staff", city_id=None)

    with session_scope() as s:
        answers = scores.answer_frames(s, list(range(1, 3 * CITIES + 1)))[0]
    base, _ = timed(lambda: answers.assign(lvl=pd.to_numeric(answers["answer"], errors="coerce"))
                    .groupby(["assessment", "question"])["lvl"].median(), repeat=3)

    def page_data():
        with session_scope() as s:
            frame, levels, q = network.network_frame(s, staff, questionnaire)
        page = net.network_view(frame, levels, q, net.NetworkQuery())
        view = net.latest_per_city(frame).sort_values("overall", ascending=False)
        domains = [d.id for d in q.domains]
        figure = go.Figure(go.Heatmap(z=view[domains].to_numpy(), x=domains, y=view["city"].tolist(),
                                      colorscale="Cividis"))
        return len(frame), len(levels), (page, figure)

    from sqlalchemy import delete, select

    from nlc_toolkit.db.models import Assessment, AssessmentScore

    with session_scope() as s:  # the seed stored the scores; drop them to time scoring everything
        s.execute(delete(AssessmentScore))
        approved = list(s.scalars(select(Assessment.id).where(Assessment.status == "approved")))
    first, (n_assessments, n_levels, _) = timed(page_data)  # scores every assessment in memory
    network.forget_cached_frames()

    def store_all():
        with session_scope() as s:
            scores.store_scores(s, approved)

    stored, _ = timed(store_all)

    def fresh_page_data():
        network.forget_cached_frames()
        return page_data()

    cold, _ = timed(fresh_page_data, repeat=3)  # no frame cache: stored scores read back
    warm, _ = timed(page_data, repeat=10)  # best of ten: a 2-core VM's neighbours move a 30 ms figure by 10 ms
    child = _new_process(questionnaire)
    print(f"network: {CITIES} cities, {n_assessments} assessments, {len(answers):,} answers, {n_levels:,} consolidated levels")
    print(f"baseline groupby median over the answer table: {base * 1000:8.1f} ms")
    print(f"first view ever, no stored score (SQL + scoring all in memory + view + figure): {first * 1000:8.1f} ms "
          f"({first / base:.1f}x baseline)")
    if first > SLOW_FIRST_VIEW:
        print(f"  SLOW: before any score is stored (approval and the seed store them) the first view scores every "
              f"assessment from its answers, {first:.1f} s; later views of stored scores are fast")
    print(f"storing every score (store_scores, the approval path): {stored * 1000:8.1f} ms")
    print(f"comparison page data, fresh (stored scores read back packed + view + figure): {cold * 1000:8.1f} ms "
          f"({cold / base:.2f}x baseline) {_against(cold, FRESH_TARGET)}")
    print(f"comparison page data, warm (frames cached in the process, view + figure): {warm * 1000:8.1f} ms "
          f"({warm / base:.2f}x baseline) {_against(warm, WARM_TARGET)}")
    print(f"a new Python process's first request: {child['first'] * 1000:8.1f} ms, of which parsing the questionnaire's "
          f"YAML (once per process, {child['questionnaire_kb']:.0f} KB) {child['parse'] * 1000:.1f} ms; a server parses it "
          f"as it starts (nlc_toolkit.py), so its first request takes the rest: "
          f"{(child['first'] - child['parse']) * 1000:.1f} ms {_against(child['first'] - child['parse'], FRESH_TARGET)}")


def _against(seconds: float, target: float) -> str:
    return f"[target < {target * 1000:.0f} ms: {'met' if seconds < target else 'NOT MET'}]"


def _new_process(questionnaire: str) -> dict:
    """The first network request of a new Python process (the database as it is now)."""
    out = subprocess.run([sys.executable, __file__, "--new-process", questionnaire], env=os.environ.copy(),
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def new_process(questionnaire: str) -> None:
    """Child of _new_process: time the first request, then the questionnaire parse it included."""
    import plotly.graph_objects as go

    from nlc_toolkit.core import network as net
    from nlc_toolkit.core.policy import Actor
    from nlc_toolkit.core.questionnaire import parse_questionnaire
    from nlc_toolkit.db.models import QuestionnaireVersion
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services import network

    start = time.perf_counter()
    with session_scope() as s:
        frame, levels, q = network.network_frame(s, Actor(user_id=0, role="network_staff", city_id=None), questionnaire)
    net.network_view(frame, levels, q, net.NetworkQuery())
    view = net.latest_per_city(frame).sort_values("overall", ascending=False)
    domains = [d.id for d in q.domains]
    go.Figure(go.Heatmap(z=view[domains].to_numpy(), x=domains, y=view["city"].tolist(), colorscale="Cividis"))
    first = time.perf_counter() - start
    with session_scope() as s:
        from sqlalchemy import select
        text = s.scalars(select(QuestionnaireVersion.content).where(QuestionnaireVersion.questionnaire_id == questionnaire)
                         .order_by(QuestionnaireVersion.id.desc())).first()
    start = time.perf_counter()
    parse_questionnaire(text)
    print(json.dumps({"first": first, "parse": time.perf_counter() - start, "questionnaire_kb": len(text) / 1024}))


def _seed(seed_demo, session_scope, questionnaire):
    with session_scope() as s:
        return seed_demo(s, cities=CITIES, seed=7, questionnaire=questionnaire, all_rounds=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--new-process"]:
        new_process(sys.argv[2])
    else:
        main()
