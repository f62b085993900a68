"""axe-core (the engine behind browsers' accessibility audits), run inside the page under test.

It comes from the npm registry (`make setup-test` installs it under .tools), is injected with
Playwright, and checks the WCAG 2.0, 2.1 and 2.2 rules of levels A and AA on what the page shows
at that moment, so a dialog or a tab is checked once it is open."""

from __future__ import annotations

import json

from playwright.sync_api import Page

from tests.helpers import ROOT

AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                              why: (n.failureSummary || '').slice(0, 300)})),
  }));
}"""


def violations(page: Page) -> list[dict]:
    """Every violation of a WCAG 2.x A/AA rule on the page as it is now (any impact)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the test, not added as a <script>: a page whose Content-Security-Policy
        # allows only its own scripts (the workshop phones', api/phone.py) would refuse a tag.
        page.evaluate(AXE.read_text("utf-8"))
    return page.evaluate(_RUN, WCAG_AA)


def describe(found: dict[str, list[dict]]) -> str:
    """The violations per view, for a failing assertion: rule, impact, how many, first targets."""
    lines = []
    for view, items in found.items():
        for v in items:
            targets = "; ".join(n["target"] for n in v["nodes"][:3])
            lines.append(f"{view}: {v['rule']} ({v['impact']}, {len(v['nodes'])}x) {v['help']} -> {targets}")
            lines.append(f"    {v['nodes'][0]['why'][:200]!r} {v['nodes'][0]['html']!r}")
    return "\n".join(lines)


def count(found: dict[str, list[dict]]) -> dict[str, int]:
    return {view: sum(len(v["nodes"]) for v in items) for view, items in found.items()}


def dump(found: dict[str, list[dict]], path) -> None:
    path.write_text(json.dumps(found, ensure_ascii=False, indent=1))
