"""Scoring speed: the vectorised scorer over many assessments against a bare pandas groupby.

Prints figures; the baseline (a groupby median over the same answer table, the least any scorer
must do) is measured in the same run so the ratio does not depend on the machine."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlc_toolkit.core.questionnaire import load_questionnaire, version_key  # noqa: E402
from nlc_toolkit.core.recommend import recommendations  # noqa: E402
from nlc_toolkit.core.scoring import score  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def best_of(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(n_assessments: int = 3000, respondents: int = 3) -> None:
    # The newest detailed questionnaire (questionnaires/<id>-<version>.yaml)
    path = max((ROOT / "questionnaires").glob("nlc-detailed-[0-9]*.yaml"), key=lambda p: version_key(p.stem[13:]))
    q = load_questionnaire(path)
    rng = np.random.default_rng(1)
    qids = np.array([x.id for x in q.questions])
    n = n_assessments * respondents * len(qids)
    answers = pd.DataFrame({
        "assessment": np.repeat(np.arange(n_assessments), respondents * len(qids)),
        "respondent": np.tile(np.repeat(np.arange(respondents), len(qids)), n_assessments),
        "question": np.tile(qids, n_assessments * respondents),
        "answer": rng.integers(0, q.max_level + 1, n).astype(str),
    })
    context = pd.DataFrame({
        "assessment": np.arange(n_assessments),
        "question": "returnees_present",
        "answer": rng.choice(["yes", "no"], n_assessments),
    }) if "returnees_present" in q.context_by_id else None

    def baseline():
        lvl = pd.to_numeric(answers["answer"])
        answers.assign(lvl=lvl).groupby(["assessment", "question"])["lvl"].median()

    t_base = best_of(baseline)
    t_score = best_of(lambda: score(q, answers, context))
    s = score(q, answers, context)
    t_recs = best_of(lambda: recommendations(s))
    print(f"questionnaire {q.key}: {len(qids)} questions; {n_assessments} assessments x {respondents} respondents = {n:,} answers")
    print(f"baseline groupby median:   {t_base * 1000:8.1f} ms")
    print(f"score (all rules 1-6):     {t_score * 1000:8.1f} ms  ({t_score / t_base:.1f}x baseline)")
    print(f"recommendations (rule 7):  {t_recs * 1000:8.1f} ms  ({t_recs / t_base:.1f}x baseline)")
    print(f"per assessment:            {t_score / n_assessments * 1e6:8.1f} us")


if __name__ == "__main__":
    main()
