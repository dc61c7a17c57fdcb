/**
 * The audit log as the admin console shows it: the events table (also on each user's page)
 * and the audit viewer with its filter form, the "older events" link (a keyset on seq) and
 * the export links of the filtered view. Every value is data and escaped, user agents and
 * details included (v5.0.0-1.2.1, v5.0.0-3.2.2): nothing an event holds becomes markup.
 */
import { AUDIT_EVENT_TYPES, type StoredAuditEvent } from '../../../domain/audit/events.ts';
import { deviceName } from '../../../domain/devices/device-name.ts';
import type { Locale } from '../../../messages/catalog.ts';
import { adminLayout, type AdminPageContext, pager } from './admin-views.ts';
import { errorSummary, type Problems } from './form-fields.ts';
import { html, type SafeHtml } from './html.ts';
import { deviceText } from './session-views.ts';

/** Usernames of the ids events name; null for an id whose account is gone. */
export type UserNames = ReadonlyMap<number, string | null>;

/**
 * One formatter per locale, made once: building an Intl.DateTimeFormat costs ≈ 0.08 ms,
 * formatting with one ≈ 0.001 ms, and a page of the audit viewer shows 50 times.
 */
const eventTimeFormats = new Map<Locale, Intl.DateTimeFormat>();

/** A time in words in `locale`, to the second, in UTC, inside `<time datetime>`. */
export function eventTime(date: Date, locale: Locale): SafeHtml {
  let format = eventTimeFormats.get(locale);
  if (!format) eventTimeFormats.set(locale, (format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' })));
  const words = format.format(date);
  return html`<time datetime="${date.toISOString()}">${words} UTC</time>`;
}

/** A user an event names: a link to their page, "#id (deleted)", or "—" for nobody. */
function userCell(page: AdminPageContext, id: number | null, names: UserNames): SafeHtml {
  if (id === null) return html`<span aria-hidden="true">—</span><span class="visually-hidden">${page.t('page.admin.events.nobody')}</span>`;
  const name = names.get(id);
  return name === undefined || name === null ? html`${page.t('page.admin.events.deleted_user', { id })}` : html`<a href="/admin/users/${id}">${name}</a>`;
}

/** Longest raw user agent shown in a table cell (the exports keep it whole). */
const AGENT_SHOWN = 80;

/**
 * The device in words ("Chrome 156 on Linux") when the user agent names a browser and a
 * system; otherwise the raw text (cut), since an odd agent is itself worth seeing.
 */
function agentText(page: AdminPageContext, userAgent: string): string {
  const { browser, os } = deviceName(userAgent);
  if (browser && os) return deviceText(page, userAgent);
  return userAgent.length > AGENT_SHOWN ? `${userAgent.slice(0, AGENT_SHOWN)}…` : userAgent;
}

function detailsCell(page: AdminPageContext, event: StoredAuditEvent): SafeHtml {
  const pairs = Object.entries(event.details).map(([key, value]) => html`<li><code>${key}</code> ${String(value)}</li>`);
  const agent = event.userAgent ? html`<li><code>${page.t('page.admin.events.user_agent')}</code> ${agentText(page, event.userAgent)}</li>` : '';
  return pairs.length > 0 || agent ? html`<ul class="event-details">${pairs}${agent}</ul>` : html``;
}

/** The events, newest first, in a focusable scrolling region (a wide table on a phone). */
export function eventsTable(page: AdminPageContext, events: readonly StoredAuditEvent[], names: UserNames, caption: string): SafeHtml {
  const { t } = page;
  if (events.length === 0) return html`<p>${t('page.admin.events.none')}</p>`;
  return html`<div class="table-scroll" role="region" aria-labelledby="events-caption" tabindex="0">
<table class="admin-table events">
<caption id="events-caption">${caption}</caption>
<thead><tr>
  <th scope="col">${t('page.admin.events.time')}</th>
  <th scope="col">${t('page.admin.events.type')}</th>
  <th scope="col">${t('page.admin.events.outcome')}</th>
  <th scope="col">${t('page.admin.events.actor')}</th>
  <th scope="col">${t('page.admin.events.target')}</th>
  <th scope="col">${t('page.admin.events.ip')}</th>
  <th scope="col">${t('page.admin.events.channel')}</th>
  <th scope="col">${t('page.admin.events.details')}</th>
</tr></thead>
<tbody>${events.map(
    (event) => html`<tr data-seq="${event.seq}">
  <td>${eventTime(event.at, page.locale)}</td>
  <td><code>${event.type}</code></td>
  <td>${event.outcome === 'success' ? t('page.admin.events.success') : event.outcome === 'failure' ? t('page.admin.events.failure') : event.outcome}</td>
  <td>${userCell(page, event.actorUserId, names)}</td>
  <td>${userCell(page, event.targetUserId, names)}</td>
  <td>${event.ip ?? '—'}</td>
  <td><code>${event.channel}</code></td>
  <td>${detailsCell(page, event)}</td>
</tr>`,
  )}</tbody>
</table>
</div>`;
}

/** The audit viewer's filters as typed (strings, for the form and the links). */
export interface AuditFilterForm {
  user: string;
  type: string;
  ip: string;
  from: string;
  to: string;
}

export interface AuditPageData {
  form: AuditFilterForm;
  events: readonly StoredAuditEvent[];
  names: UserNames;
  /** The seq to continue from ("older events"), when there are more. */
  older: number | null;
  /** True on a page after the first. */
  paged: boolean;
  /** The named user does not exist: nothing matches. */
  unknownUser: boolean;
  problems: Problems;
}

/** The filters as a query string (empty ones left out), for links and exports. */
export function filterQuery(form: AuditFilterForm, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...form, ...extra })) if (value) query.set(name, value);
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** `datetime-local` takes `YYYY-MM-DDTHH:MM`; a date alone is shown as the start or the end of its day. */
function asDateTimeLocal(value: string, end: boolean): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T${end ? '23:59' : '00:00'}` : value;
}

function filterForm(page: AdminPageContext, form: AuditFilterForm, problems: Problems): SafeHtml {
  const { t } = page;
  const invalid = (field: string) => (problems.some((problem) => problem.field === field) ? html` aria-invalid="true"` : '');
  return html`<form method="get" action="/admin/audit" class="admin-filters" novalidate>
<div class="field"><label for="audit-user">${t('page.admin.audit.user')}</label>
  <input id="audit-user" name="user" type="text" value="${form.user}" maxlength="64" autocomplete="off" autocapitalize="none" spellcheck="false"${invalid('user')}></div>
<div class="field"><label for="audit-type">${t('page.admin.audit.type')}</label>
  <select id="audit-type" name="type"${invalid('type')}>
    <option value="">${t('page.admin.audit.any_type')}</option>
    ${AUDIT_EVENT_TYPES.map((type) => html`<option value="${type}"${form.type === type ? html` selected` : ''}>${type}</option>`)}
  </select></div>
<div class="field"><label for="audit-ip">${t('page.admin.audit.ip')}</label>
  <input id="audit-ip" name="ip" type="text" value="${form.ip}" maxlength="64" autocomplete="off" spellcheck="false"${invalid('ip')}></div>
<div class="field"><label for="audit-from">${t('page.admin.audit.from')}</label>
  <input id="audit-from" name="from" type="datetime-local" value="${asDateTimeLocal(form.from, false)}" aria-describedby="audit-time-hint"${invalid('from')}></div>
<div class="field"><label for="audit-to">${t('page.admin.audit.to')}</label>
  <input id="audit-to" name="to" type="datetime-local" value="${asDateTimeLocal(form.to, true)}" aria-describedby="audit-time-hint"${invalid('to')}></div>
<p class="hint" id="audit-time-hint">${t('page.admin.audit.time_hint')}</p>
<div class="form-actions"><button type="submit">${t('page.admin.audit.submit')}</button> <a href="/admin/audit">${t('page.admin.audit.clear')}</a></div>
</form>`;
}

export function auditPage(page: AdminPageContext, data: AuditPageData): string {
  const { t } = page;
  const { form } = data;
  const exports = filterQuery(form);
  const results = data.unknownUser
    ? html`<p class="warning" role="status">${t('page.admin.audit.unknown_user', { username: form.user })}</p>`
    : eventsTable(page, data.events, data.names, t('page.admin.audit.caption'));
  return adminLayout(
    page,
    html`<h1>${t('page.admin.audit.heading')}</h1>
${errorSummary(page, data.problems, { user: 'audit-user', type: 'audit-type', ip: 'audit-ip', from: 'audit-from', to: 'audit-to' })}
<p>${t('page.admin.audit.intro')}</p>
${filterForm(page, form, data.problems)}
${data.problems.length > 0 ? '' : html`<ul class="link-list inline-links">
  <li><a href="/admin/audit.csv${exports}" download>${t('page.admin.audit.export_csv')}</a></li>
  <li><a href="/admin/audit.jsonl${exports}" download>${t('page.admin.audit.export_jsonl')}</a></li>
</ul>
${results}
${pager(page, [
  data.paged ? html`<a href="/admin/audit${exports}">${t('page.admin.audit.newest')}</a>` : null,
  data.older !== null ? html`<a href="/admin/audit${filterQuery(form, { before: String(data.older) })}" rel="next">${t('page.admin.audit.older')}</a>` : null,
])}`}`,
  );
}
