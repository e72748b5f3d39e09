"""The comparison as one self-contained HTML page (plots embedded as base64 PNG).

Plots are drawn on a :class:`matplotlib.figure.Figure` with the Agg canvas: no pyplot, no
global style, nothing changed for the rest of the process.
"""

from __future__ import annotations

import base64
import io
import math

import jinja2
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

MAX_PLOTS = 8
COLOURS = ("#4c72b0", "#dd8452")

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>squatlab compare: {{ a.label }} vs {{ b.label }}</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
 table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 1rem 0; }
 th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; }
 td.num { text-align: right; font-variant-numeric: tabular-nums; }
 tr.changed td { background: #fff4e0; }
 .note { color: #555; font-size: 0.9rem; }
 img { max-width: 100%; }
</style></head><body>
<h1>{{ a.label }} vs {{ b.label }}</h1>
<p class="note">{{ disclaimer }}</p>
<h2>What changed</h2>
<ul>{% for line in summary %}<li>{{ line }}</li>{% endfor %}</ul>
<h2>The two sets</h2>
<table><tr><th></th><th>source</th><th>kind</th><th>reps (measurable)</th><th>butt wink</th><th>over-arching</th></tr>
{% for side in (a, b) %}<tr><td>{{ side.label }}</td><td>{{ side.path }}</td><td>{{ side.kind }}</td>
<td class="num">{{ side.reps }} ({{ side.measurable }})</td>
<td class="num">{{ side.butt_wink_reps }} / {{ side.butt_wink_judged }}</td>
<td class="num">{{ side.over_arch_reps }} / {{ side.over_arch_judged }}</td></tr>{% endfor %}
</table>
{% if plot %}<h2>Per-rep values</h2>
<p class="note">Each dot is a rep; the bar is the mean and the whisker one SD.
Metrics that changed beyond their noise are marked "changed".</p>
<img alt="per-rep metrics of the two sets" src="data:image/png;base64,{{ plot }}">{% endif %}
<h2>Every metric</h2>
<table><tr><th>metric</th><th>unit</th><th>{{ a.label }} mean &plusmn; SD (n)</th>
<th>{{ b.label }} mean &plusmn; SD (n)</th><th>difference</th><th>noise floor</th><th>p (Welch, Holm)</th>
<th>verdict</th></tr>
{% for m in metrics %}<tr class="{{ 'changed' if m.changed else '' }}"><td>{{ m.label }}</td><td>{{ m.unit }}</td>
<td class="num">{{ fmt(m.mean_a) }} &plusmn; {{ fmt(m.sd_a) }} ({{ m.n_a }})</td>
<td class="num">{{ fmt(m.mean_b) }} &plusmn; {{ fmt(m.sd_b) }} ({{ m.n_b }})</td>
<td class="num">{{ fmt(m.difference) }}</td><td class="num">{{ fmt(m.floor) }}</td>
<td class="num">{{ fmt(m.p_holm, 3) }}</td><td>{{ m.verdict }}</td></tr>{% endfor %}
</table>
<h2>Method</h2>
<p>{{ method }}</p>
</body></html>
"""


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}f}"


def plot_metrics(result: dict) -> str | None:
    """Per-rep strip plots of the changed metrics first, then the primary ones, as base64 PNG."""
    rows = [m for m in result["metrics"] if m["values_a"] or m["values_b"]]
    rows = sorted(rows, key=lambda m: not m["changed"])[:MAX_PLOTS]
    if not rows:
        return None
    cols = 2
    lines = math.ceil(len(rows) / cols)
    fig = Figure(figsize=(9, 2.6 * lines), layout="constrained")
    FigureCanvasAgg(fig)
    rng = np.random.default_rng(0)  # fixed jitter: the same input draws the same picture
    labels = (result["a"]["label"], result["b"]["label"])
    for i, m in enumerate(rows):
        ax = fig.add_subplot(lines, cols, i + 1)
        for x, (values, colour) in enumerate(zip((m["values_a"], m["values_b"]), COLOURS, strict=True)):
            if not values:
                continue
            ax.scatter(x + rng.uniform(-0.08, 0.08, len(values)), values, s=18, color=colour, alpha=0.8)
            sd = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
            ax.errorbar(x + 0.2, float(np.mean(values)), yerr=sd, fmt="_", color=colour, capsize=4, markersize=14)
        ax.set_xticks([0, 1], labels)
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylabel(m["unit"])
        ax.set_title(m["label"] + ("  (changed)" if m["changed"] else ""), fontsize=9)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def render_html(result: dict) -> str:
    """The comparison dict (from :func:`squatlab.findings.compare.compare_results`) as a standalone page.

    Examples
    --------
    >>> from squatlab.findings.compare import compare_results
    >>> empty = {"schema_version": "1", "reps": [],
    ...          "input": {"path": "x", "kind": "imu", "fps": 100, "duration_s": 9, "frames": 900}}
    >>> render_html(compare_results(empty, empty)).startswith("<!doctype html>")
    True
    """
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(_TEMPLATE)
    return template.render(**result, plot=plot_metrics(result), fmt=_fmt)
