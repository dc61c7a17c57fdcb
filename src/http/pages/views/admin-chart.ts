/**
 * The sign-in activity chart of the admin home: one server-rendered inline SVG per period,
 * three bars per time slice (succeeded, failed, throttled). Readable without colour: each
 * series has its own fill pattern (solid, diagonal hatching, dots) and its own place in the
 * group, a legend shows the three swatches with their names, every bar carries a `<title>`
 * with its slice and count, and the same numbers are offered as a table.
 *
 * CSP-clean (`style-src 'self'`): no style attribute and no `<style>` element; geometry is in
 * SVG presentation attributes, colours come from classes in public/styles.css (so the dark
 * palette applies), patterns are `<pattern>` elements referenced by id. `role="img"` with
 * `aria-labelledby` on its `<title>` and `<desc>` names the chart for assistive technology.
 */
import type { SignInSlice } from '../../../domain/admin/overview.ts';
import type { Locale } from '../../../messages/catalog.ts';
import { html, type SafeHtml } from './html.ts';
import type { PageContext } from './layout.ts';
import { dateTimeFormat } from '../../../messages/intl-formats.ts';

export type ChartPeriod = 'hourly' | 'daily';

const SERIES = ['succeeded', 'failed', 'throttled'] as const;
type Series = (typeof SERIES)[number];

/** The drawing's coordinate system (the SVG scales to its container). */
const WIDTH = 720;
const HEIGHT = 240;
const PLOT = { left: 44, right: 8, top: 12, bottom: 36 };

const SERIES_KEY = {
  succeeded: 'page.admin.chart.succeeded',
  failed: 'page.admin.chart.failed',
  throttled: 'page.admin.chart.throttled',
} as const;

/** The slice's label: "14:00" for an hour, "3 Jun" for a day, in UTC. */
function sliceLabel(start: Date, period: ChartPeriod, locale: Locale): string {
  const options: Intl.DateTimeFormatOptions =
    period === 'hourly' ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' } : { day: 'numeric', month: 'short', timeZone: 'UTC' };
  return dateTimeFormat(locale, options).format(start);
}

/** The scale's top: four equal gridline steps of a round whole number (1–10 × 10^n). */
function niceMaximum(value: number): number {
  const quarter = Math.max(1, value / 4);
  const power = 10 ** Math.floor(Math.log10(quarter));
  const step = [1, 2, 3, 4, 5, 6, 8, 10].find((m) => m * power >= quarter)!;
  return step * power * 4;
}

/** The three fill patterns, ids prefixed per chart (two charts share the page). */
function patterns(id: string): SafeHtml {
  return html`<defs>
<pattern id="${id}-succeeded" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" class="chart-fill-succeeded"/></pattern>
<pattern id="${id}-failed" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" class="chart-bg-failed"/><rect width="3" height="6" class="chart-fill-failed"/></pattern>
<pattern id="${id}-throttled" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" class="chart-bg-throttled"/><circle cx="3" cy="3" r="1.8" class="chart-fill-throttled"/></pattern>
</defs>`;
}

/**
 * A small swatch of one series' pattern, for the legend (decorative: the name is beside it).
 * It fills from the chart's own `<pattern>` (ids are document-wide), so no id repeats.
 */
function swatch(id: string, series: Series): SafeHtml {
  return html`<svg class="chart-swatch" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" focusable="false"><rect x="1" y="1" width="16" height="16" fill="url(#${id}-${series})" class="chart-bar chart-bar-${series}"/></svg>`;
}

function legend(page: PageContext, id: string): SafeHtml {
  return html`<ul class="chart-legend">${SERIES.map((series) => html`<li>${swatch(id, series)} ${page.t(SERIES_KEY[series])}</li>`)}</ul>`;
}

function bars(page: PageContext, id: string, slices: readonly SignInSlice[], period: ChartPeriod, maximum: number): SafeHtml {
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const slot = plotWidth / slices.length;
  const barWidth = Math.max(1, (slot * 0.8) / SERIES.length);
  const labelEvery = period === 'hourly' ? 6 : 5;
  return html`${slices.map((slice, index) => {
    const x0 = PLOT.left + index * slot + slot * 0.1;
    const label = sliceLabel(slice.start, period, page.locale);
    const group = SERIES.map((series, position) => {
      const count = slice[series];
      const height = (count / maximum) * plotHeight;
      const y = PLOT.top + plotHeight - height;
      const title = page.t('page.admin.chart.bar_title', { slice: label, series: page.t(SERIES_KEY[series]), count });
      return html`<rect x="${(x0 + position * barWidth).toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 0.5).toFixed(1)}" height="${height.toFixed(1)}" fill="url(#${id}-${series})" class="chart-bar chart-bar-${series}"><title>${title}</title></rect>`;
    });
    const tick =
      index % labelEvery === 0
        ? html`<text x="${(PLOT.left + index * slot + slot / 2).toFixed(1)}" y="${HEIGHT - PLOT.bottom + 16}" text-anchor="middle" class="chart-label">${label}</text>`
        : '';
    return html`<g>${group}${tick}</g>`;
  })}`;
}

function gridlines(maximum: number): SafeHtml {
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  return html`${[0, 0.25, 0.5, 0.75, 1].map((fraction) => {
    const y = PLOT.top + plotHeight - fraction * plotHeight;
    return html`<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="chart-grid"/><text x="${PLOT.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" class="chart-label">${maximum * fraction}</text>`;
  })}`;
}

/** The numbers of the chart, as a table inside a disclosure. */
function dataTable(page: PageContext, id: string, slices: readonly SignInSlice[], period: ChartPeriod): SafeHtml {
  const { t } = page;
  return html`<details class="chart-data">
<summary>${t('page.admin.chart.show_numbers')}</summary>
<div class="table-scroll" role="region" aria-labelledby="${id}-caption" tabindex="0">
<table class="admin-table">
<caption id="${id}-caption">${t(period === 'hourly' ? 'page.admin.chart.hourly_caption' : 'page.admin.chart.daily_caption')}</caption>
<thead><tr><th scope="col">${t(period === 'hourly' ? 'page.admin.chart.hour' : 'page.admin.chart.day')}</th>${SERIES.map((series) => html`<th scope="col">${t(SERIES_KEY[series])}</th>`)}</tr></thead>
<tbody>${slices.map(
    (slice) =>
      html`<tr><th scope="row"><time datetime="${slice.start.toISOString()}">${sliceLabel(slice.start, period, page.locale)}</time></th>${SERIES.map((series) => html`<td>${slice[series]}</td>`)}</tr>`,
  )}</tbody>
</table>
</div>
</details>`;
}

/** One period's chart: heading, legend, the SVG and its numbers. */
export function signInChart(page: PageContext, period: ChartPeriod, slices: readonly SignInSlice[]): SafeHtml {
  const { t } = page;
  const id = `chart-${period}`;
  const totals = { succeeded: 0, failed: 0, throttled: 0 };
  for (const slice of slices) for (const series of SERIES) totals[series] += slice[series];
  const maximum = niceMaximum(Math.max(0, ...slices.flatMap((slice) => SERIES.map((series) => slice[series]))));
  const heading = t(period === 'hourly' ? 'page.admin.chart.hourly_heading' : 'page.admin.chart.daily_heading');
  return html`<section class="chart" aria-labelledby="${id}-heading">
<h3 id="${id}-heading">${heading}</h3>
${legend(page, id)}
<svg class="chart-svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false">
<title id="${id}-title">${heading}</title>
<desc id="${id}-desc">${t('page.admin.chart.summary', totals)}</desc>
${patterns(id)}
${gridlines(maximum)}
${bars(page, id, slices, period, maximum)}
</svg>
${dataTable(page, id, slices, period)}
</section>`;
}
