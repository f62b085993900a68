"""Recompute the reviewer's counts of issue 15 on questionnaire files.

Usage: python count_review.py [--markdown] FILE.yaml [FILE.yaml ...] [--facets facets.yaml] (a file's own
`facets` list is read first)

Every heuristic works on the English text, so that the same rule applies to every file:

- tokens: lower-case words of 3+ letters, minus stop words, cut to their first 5 letters
  (a crude stem: "creates" and "creating" both give "creat").
- restates: a recommendation restates a level descriptor when most of its tokens (>= 50 %) also
  occur in that descriptor (the rule of issue 15: "must not share most of its words"). The
  looser 30 % threshold is also reported: on 1.0.0 it reproduces the reviewer's count (93 of the
  100 detailed [2, 3] recommendations against level 3; the reviewer found 94). A recommendation
  is checked against the descriptor of each level it applies to.
- conditions in a descriptor: the clauses left after splitting on , ; : ( ) and on the words
  "and", "or", "with", "including"; a descriptor bundles "5+ conditions" when it has 5 or more.
  A clause introduced by "for example" / "such as" is an illustration, not a condition: the list
  that follows it counts as one clause.
- outsider-dependent top level: the top descriptor mentions other cities or communes, peers,
  models, references, being cited, recognised, replicated, promoted or reused by others.
- gating: a question `show_if` is "applicability" when it names returnees_present,
  migration_inflows or national_action_plan, and "maturity" otherwise (e.g. the existence of a
  local prevention network, which is itself something the questionnaire measures).
- national-local facet: the questions listed in facets.yaml; for files without a facet, the
  count of questions whose English text or national perspective mentions a national, regional,
  provincial or state actor (the reviewer's "about 14 of 44 and 42 of 100" was an estimate of
  this kind).
"""
from __future__ import annotations

import re
import sys
from collections import OrderedDict

import yaml

STOP = set(
    """the a an and or of to in on for with by at from as is are be been was were that this these those
    its it their there which who whom what when where how each every any all some other than then so such
    not no nor but into onto about over under after before between both either per via also only more most
    very can may must should would could will has have had do does did done using use used they them
    we our you your he she his her city city's cities commune communes""".split()
)
OUTSIDER = re.compile(
    r"other (cities|communes|municipalities|territories)|neighbouring cities|as a model|a model|the model|"
    r"as a reference|used as a reference|reference for|\bcite[sd]?\b|recogni[sz]ed|replicat|promoted by|"
    r"reuse|mentor peers|mentors other|advises other|trains trainers who serve|peers from other|"
    r"international (forums|networks)",
    re.I,
)
APPLICABILITY = {"returnees_present", "migration_inflows", "national_action_plan"}
NATIONAL = re.compile(
    r"\bnational\b|\bstate\b|ministr|\bgovernor|\bwali\b|\bregion(al)?\b|\bprovinc|\bprefecture|"
    r"deconcentrated|prison administration|security services|local authorities",
    re.I,
)


def tokens(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in STOP}


def overlap(rec: str, desc: str) -> float:
    r = tokens(rec)
    return len(r & tokens(desc)) / len(r) if r else 0.0


def conditions(desc: str) -> int:
    text = re.split(r"\b(?:for example|such as|e\.g\.)\b", desc, maxsplit=1)
    main = text[0] + (" X" if len(text) > 1 else "")
    parts = re.split(r"[,;:()]|\band\b|\bor\b|\bwith\b|\bincluding\b", main)
    return len([p for p in parts if re.search(r"[A-Za-z]{3,}", p)])


def questions(doc):
    for d in doc["domains"]:
        for q in d["questions"]:
            yield d, q


def review(doc, facets=None) -> OrderedDict:
    top = max(lv["value"] for lv in doc["scale"]["levels"])
    out = OrderedDict()
    qs = list(questions(doc))
    out["questions"] = len(qs)
    recs = [(q, r) for _, q in qs for r in q.get("recommendations", [])]
    out["recommendations"] = len(recs)

    # 1. recommendations restating their own level. The reviewer's "levels 2-3" case: a
    # recommendation whose highest level is 2 or 3, checked against that level's descriptor.
    upper = [(q, r) for q, r in recs if max(r["levels"]) in (2, 3) and max(r["levels"]) < top]
    out["recs for levels 2-3"] = len(upper)
    for t in (0.5, 0.3):
        out[f"  ... restating their own level (token overlap >= {int(t * 100)}%)"] = sum(
            1 for q, r in upper if overlap(r["text"]["en"], q["levels"][max(r["levels"])]["en"]) >= t
        )
    for t in (0.5, 0.3):
        out[f"all recs restating one of their own levels (overlap >= {int(t * 100)}%)"] = sum(
            1 for q, r in recs
            if any(overlap(r["text"]["en"], q["levels"][lv]["en"]) >= t for lv in r["levels"])
        )

    # 2. levels 0 and 1 with identical advice
    same01 = 0
    for _, q in qs:
        a0 = sorted(r["text"]["en"] for r in q.get("recommendations", []) if 0 in r["levels"])
        a1 = sorted(r["text"]["en"] for r in q.get("recommendations", []) if 1 in r["levels"])
        if a0 and a0 == a1:
            same01 += 1
    out["questions where levels 0 and 1 get identical advice"] = same01

    # exactly one recommendation per level below the top
    bad_count = 0
    for _, q in qs:
        for lv in range(top):
            n = sum(1 for r in q.get("recommendations", []) if lv in r["levels"])
            if n != 1:
                bad_count += 1
                break
    out["questions without exactly one rec per level below the top"] = bad_count

    # 3. first tier low effort, short term
    first = [r for _, r in recs if 0 in r["levels"]]
    out["first-tier recs (level 0)"] = len(first)
    out["  ... low effort and short term"] = sum(
        1 for r in first if r.get("effort", "medium") == "low" and r.get("horizon", "medium") == "short"
    )
    # 4. effort and horizon spread
    for e in ("low", "medium", "high"):
        out[f"recs with {e} effort"] = sum(1 for _, r in recs if r.get("effort", "medium") == e)
    out["recs with long horizon"] = sum(1 for _, r in recs if r.get("horizon", "medium") == "long")

    # 5. descriptors with 5+ conditions, per level
    for lv in range(top + 1):
        n = sum(1 for _, q in qs if conditions(q["levels"][lv]["en"]) >= 5)
        out[f"level-{lv} descriptors with 5+ conditions"] = n
    out["all descriptors with 5+ conditions"] = sum(
        1 for _, q in qs for lv in range(top + 1) if conditions(q["levels"][lv]["en"]) >= 5
    )

    # 6. top level depending on outsiders
    out["top-level descriptors depending on outsiders"] = sum(
        1 for _, q in qs if OUTSIDER.search(q["levels"][top]["en"])
    )

    # 7. gating
    gated = [(q, set(q["show_if"])) for _, q in qs if q.get("show_if")]
    out["questions gated by show_if"] = len(gated)
    out["  ... on applicability context (returnees, migration, national plan)"] = sum(
        1 for _, ids in gated if ids <= APPLICABILITY
    )
    out["  ... on maturity context (not applicability)"] = sum(1 for _, ids in gated if not ids <= APPLICABILITY)
    out["recommendations with their own show_if"] = sum(1 for _, r in recs if r.get("show_if"))

    # 8. national-local interface
    declared = {f["id"]: f for f in doc.get("facets") or []}
    if "national_local" in declared or facets and doc["id"] in facets:
        ids = (declared.get("national_local") or facets[doc["id"]]["national_local"])["questions"]
        known = {q["id"] for _, q in qs}
        out["questions in the national-local facet"] = len([i for i in ids if i in known])
        missing = [i for i in ids if i not in known]
        if missing:
            out["facet ids not in the file (error)"] = len(missing)
    else:
        out["questions in the national-local facet"] = "no facet"
    out["questions mentioning a national/regional/state actor (estimate)"] = sum(
        1 for _, q in qs
        if NATIONAL.search(q["text"]["en"]) or (q.get("perspective") or {}).get("national")
    )
    return out


def title_theme_disagreements(a, b) -> tuple[int, int, int]:
    da = {d["id"]: d for d in a["domains"]}
    db = {d["id"]: d for d in b["domains"]}
    shared = [i for i in da if i in db]
    titles = sum(1 for i in shared if da[i]["title"] != db[i]["title"])
    themes = sum(1 for i in shared if sorted(da[i].get("themes", [])) != sorted(db[i].get("themes", [])))
    return len(shared), titles, themes


def main(argv):
    md = "--markdown" in argv
    argv = [a for a in argv if a != "--markdown"]
    facets = None
    if "--facets" in argv:
        i = argv.index("--facets")
        facets = yaml.safe_load(open(argv[i + 1], encoding="utf-8"))
        argv = argv[:i] + argv[i + 2:]
    docs = [yaml.safe_load(open(p, encoding="utf-8")) for p in argv]
    results = [review(d, facets) for d in docs]
    keys = list(max(results, key=len).keys())
    for r in results:
        keys += [k for k in r if k not in keys]
    if md:
        print("| count | " + " | ".join(f"{d['id']} {d['version']}" for d in docs) + " |")
        print("|---|" + "---|" * len(docs))
        for k in keys:
            print(f"| {k.strip()} | " + " | ".join(str(r.get(k, "")) for r in results) + " |")
    else:
        for d, r in zip(docs, results):
            print(f"== {d['id']} {d['version']}")
            for k, v in r.items():
                print(f"{k}: {v}")
    if len(docs) >= 2:
        n, t, th = title_theme_disagreements(docs[0], docs[1])
        line = f"domains shared by {docs[0]['id']} and {docs[1]['id']}: {n}; titles differ: {t}; themes differ: {th}"
        print(("\n" if md else "") + line)


if __name__ == "__main__":
    main(sys.argv[1:])
