"""The PDF report of an assessment, in English, French or Arabic (right to left).

HTML + CSS rendered by WeasyPrint, whose Pango/HarfBuzz text engine joins Arabic letters and
orders bidirectional text correctly. The radar is drawn by matplotlib (no browser needed) with
domain numbers as labels, so the chart needs no Arabic shaping; the table beside it names them."""

from __future__ import annotations

import base64
import html
import io
import math
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nlc_toolkit.core.questionnaire import localized
from nlc_toolkit.core.views import Report
from nlc_toolkit.i18n import (
    direction,
    format_date,
    format_number,
    format_percent,
    normalize,
    plural,
    translate,
)

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"

FONTS = "'Noto Naskh Arabic', 'Noto Sans Arabic', 'Noto Sans', 'DejaVu Sans', sans-serif"
# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
CURRENT, PREVIOUS = "#0072B2", "#E69F00"


def _safe_fetcher():
    """WeasyPrint's URL fetcher, narrowed to what a report needs: `data:` images it carries itself
    and files among the app's packaged assets. Everything else (`file:` outside the assets,
    http(s), ftp...) is refused, so text that reached the HTML can never make the renderer read
    a server file or call the network. A refused resource is skipped; the report still renders."""
    from weasyprint.urls import URLFetcher

    class AssetsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file" and not parts.netloc:
                path = Path(unquote(parts.path)).resolve()
                if path.is_file() and path.is_relative_to(ASSETS_DIR):
                    return super().fetch(path.as_uri(), headers)
            raise ValueError(f"resource refused: {url[:80]}")

    return AssetsOnly(timeout=2, allowed_protocols=("data", "file"), allow_redirects=False)


def render_pdf(html_text: str) -> bytes:
    """The one way a PDF is made here: escaped HTML, the narrow fetcher, no base URL."""
    from weasyprint import (
        HTML,  # imported here: it loads Pango, which only the reports need
    )

    return HTML(string=html_text, base_url=None, url_fetcher=_safe_fetcher()).write_pdf()


def radar_png(scores: list[float | None], previous: list[float | None] | None) -> bytes:
    n = len(scores)
    angles = [2 * math.pi * i / n for i in range(n)] + [0.0]
    fig = Figure(figsize=(5.2, 5.2), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(0, 100)
    ax.set_xticks(angles[:-1])
    ax.set_xticklabels([str(i + 1) for i in range(n)], fontsize=9)
    ax.set_yticks([25, 50, 75, 100])
    ax.set_yticklabels(["25", "50", "75", "100"], fontsize=7, color="#555555")
    if previous:
        values = [v or 0 for v in previous] + [previous[0] or 0]
        ax.plot(angles, values, color=PREVIOUS, linewidth=1.5, linestyle="--")
    values = [v or 0 for v in scores] + [scores[0] or 0]
    ax.plot(angles, values, color=CURRENT, linewidth=2)
    ax.fill(angles, values, color=CURRENT, alpha=0.18)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def report_html(report: Report, lang: str) -> str:
    report = Report.from_dict(report)  # a Report, or a dict of its shape
    lang = normalize(lang)
    tr = lambda key, **v: html.escape(translate(key, lang, **v))  # noqa: E731
    loc = lambda text: html.escape(localized(text, lang))  # noqa: E731
    e = html.escape
    num = lambda value, digits=0: format_number(value, lang, digits)  # noqa: E731
    prev = report.previous
    radar = radar_png([d.score for d in report.domains], [d.previous for d in report.domains] if prev else None)

    domain_rows = "".join(
        f"<tr><td class='num'>{i + 1}</td><td>{loc(d.title)}</td><td class='num'>{num(d.score)}</td>"
        + (f"<td class='num'>{num(d.previous)}</td>" if prev else "") + "</tr>"
        for i, d in enumerate(report.domains)
    )
    gap_rows = "".join(
        f"<tr><td>{loc(report.question_text(g.question))}</td><td class='num'>{num(g.local, 1)}</td>"
        f"<td class='num'>{num(g.national, 1)}</td><td class='num' dir='ltr'>{format_number(g.gap, lang, 1, signed=True)}</td></tr>"
        for g in report.gaps[:12]
    ) or f"<tr><td colspan='4'>{tr('results.no_gap')}</td></tr>"

    def rec_list(group: str) -> str:
        items = "".join(
            f"<li><strong>{loc(r.text)}</strong><br><span class='meta'>"
            f"{loc(report.question_text(r.question))} · {tr('results.priority')} {num(r.priority, 2)} · "
            f"{tr('effort.' + r.effort)} · {tr('horizon.' + r.horizon)}</span></li>"
            for r in report.recommendations_in(group)[:15]
        )
        return f"<ol>{items}</ol>" if items else f"<p>{tr('results.none')}</p>"

    action_rows = "".join(
        f"<tr><td>{e(a.title)}</td><td>{e(a.owner)}</td><td>{e(a.due)}</td>"
        f"<td>{tr('action_status.' + a.status)}</td></tr>"
        for a in report.actions
    ) or f"<tr><td colspan='4'>{tr('results.no_actions')}</td></tr>"
    prev_head = f"<th>{tr('results.previous_round')} ({prev.year})</th>" if prev else ""
    first = report.recommendations[0] if report.recommendations else None

    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction(lang)}"><head><meta charset="utf-8">
<title>{e(report.city)}</title>
<style>
@page {{ size: A4; margin: 18mm 16mm; @bottom-center {{ content: counter(page); font-size: 9pt; color: #666; }} }}
body {{ font-family: {FONTS}; font-size: 10.5pt; line-height: 1.45; color: #1a1a1a; }}
h1 {{ font-size: 24pt; margin: 0 0 4mm; color: #0b4f6c; }}
h2 {{ font-size: 14pt; color: #0b4f6c; border-bottom: 1px solid #c8d6dc; padding-bottom: 1mm; margin-top: 8mm; }}
.cover {{ page-break-after: always; padding-top: 50mm; }}
.cover .sub {{ font-size: 13pt; color: #444; }}
.kpis {{ display: flex; gap: 6mm; margin: 6mm 0; }}
.kpi {{ border: 1px solid #c8d6dc; border-radius: 2mm; padding: 3mm 5mm; }}
.kpi b {{ display: block; font-size: 18pt; color: #0072B2; }}
table {{ border-collapse: collapse; width: 100%; margin: 3mm 0; }}
th, td {{ border-bottom: 1px solid #dde5e8; padding: 1.4mm 2mm; text-align: start; vertical-align: top; }}
th {{ background: #eef4f6; }}
td.num {{ text-align: end; white-space: nowrap; }}
.meta {{ color: #555; font-size: 9pt; }}
img.radar {{ width: 105mm; display: block; margin: 0 auto; }}
.legend span {{ display: inline-block; margin-inline-end: 6mm; }}
</style></head><body>
<section class="cover">
  <p class="sub">{loc(report.title)}</p>
  <h1 id="city">{e(report.city)}</h1>
  <p class="sub">{report.year} · {tr('assessments.round')} {report.round} · {tr('status.' + report.status)}</p>
  <p class="sub">{tr('report.generated')} {e(format_date(date.today(), lang))}</p>
</section>
<h2>{tr('report.summary')}</h2>
<div class="kpis">
  <div class="kpi">{tr('results.overall')}<b>{num(report.overall)}</b></div>
  <div class="kpi">{tr('results.band')}<b>{loc(report.band) or '–'}</b></div>
  <div class="kpi">{tr('results.completeness')}<b>{e(format_percent(report.completeness or 0, lang))}</b></div>
  {''.join(f'<div class="kpi facet">{loc(f.title)}<b>{num(f.score)}</b></div>' for f in report.facets)}
</div>
<p>{e(plural('report.summary_recommendations', len(report.recommendations), lang))}
{e(plural('report.summary_gaps', sum(1 for g in report.gaps if abs(g.gap) >= 1), lang))}</p>
{f"<p><strong>{tr('report.first_recommendation')}</strong> {loc(first.text)}</p>" if first else ''}
<h2>{tr('results.radar')}</h2>
<img class="radar" src="data:image/png;base64,{base64.b64encode(radar).decode()}" alt="{tr('results.radar')}">
<p class="legend"><span style="color:{CURRENT}">━ {report.year}</span>{f"<span style='color:{PREVIOUS}'>╌ {prev.year}</span>" if prev else ''}</p>
<table><tr><th>#</th><th>{tr('results.domain')}</th><th>{tr('results.score')}</th>{prev_head}</tr>{domain_rows}</table>
<h2>{tr('results.gap_title')}</h2>
<p class="meta">{tr('results.gap_help')}</p>
<table><tr><th>{tr('export.question')}</th><th>{tr('group.municipality')}</th><th>{tr('group.national')}</th><th>{tr('results.gap')}</th></tr>{gap_rows}</table>
<h2>{tr('results.quick_wins')}</h2>{rec_list('quick_wins')}
<h2>{tr('results.strategic')}</h2>{rec_list('strategic')}
<h2>{tr('results.national_asks')}</h2>{rec_list('national_asks')}
<h2>{tr('actions.heading')}</h2>
<table><tr><th>{tr('actions.title_field')}</th><th>{tr('actions.owner')}</th><th>{tr('actions.due')}</th><th>{tr('actions.status')}</th></tr>{action_rows}</table>
<h2>{tr('report.method')}</h2>
<p>{tr('report.method_text', top=report.max_level)}</p>
</body></html>"""


def assessment_pdf(report: Report, lang: str) -> bytes:
    return render_pdf(report_html(report, lang))


def workshop_summary_html(title: dict, city: str, code: str, rows: list[dict], lang: str) -> str:
    """The record of a live session: per question, the spread of answers, agreed level and notes."""
    lang = normalize(lang)
    tr = lambda key: html.escape(translate(key, lang))  # noqa: E731
    body = "".join(
        f"<tr><td>{html.escape(localized(r['text'], lang))}</td><td class='num'>{r['count']}</td>"
        f"<td class='num' dir='ltr'>{' · '.join(str(n) for n in r['distribution'])}</td>"
        f"<td class='num'>{format_number(r['median'], lang, 1)}</td><td class='num'>{'–' if r['agreed'] is None else r['agreed']}</td>"
        f"<td>{html.escape(r['note'] or '')}</td></tr>"
        for r in rows
    )
    return f"""<!DOCTYPE html><html lang="{lang}" dir="{direction(lang)}"><head><meta charset="utf-8">
<style>@page {{ size: A4 landscape; margin: 14mm; }} body {{ font-family: {FONTS}; font-size: 9.5pt; }}
h1 {{ font-size: 16pt; color: #0b4f6c; }} table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #dde5e8; padding: 1.2mm 1.6mm; text-align: start; vertical-align: top; }}
th {{ background: #eef4f6; }} td.num {{ text-align: end; white-space: nowrap; }}</style></head><body>
<h1>{html.escape(city)} · {tr('workshop.summary')} · {html.escape(code)}</h1>
<p>{html.escape(localized(title, lang))} · {html.escape(format_date(date.today(), lang))}</p>
<table><tr><th>{tr('export.question')}</th><th>{tr('workshop.answers')}</th><th>0 · 1 · …</th>
<th>{tr('workshop.median')}</th><th>{tr('workshop.agreed')}</th><th>{tr('workshop.note')}</th></tr>{body}</table>
</body></html>"""


def workshop_summary_pdf(title: dict, city: str, code: str, rows: list[dict], lang: str) -> bytes:
    return render_pdf(workshop_summary_html(title, city, code, rows, lang))
