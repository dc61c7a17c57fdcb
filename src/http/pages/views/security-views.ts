/**
 * Sudo mode's password prompt (`/sudo`) and the user's own security activity
 * (`/settings/activity`). Events are named in the page's language from their stable type
 * (`activity.event.<type>`); an event done to the account by someone else says who
 * (an administrator, or an operator at the command line), never which one.
 */
import { AUDIT_EVENT_TYPES, type AuditEventType, type StoredAuditEvent } from '../../../domain/audit/events.ts';
import type { User } from '../../../domain/users/user.ts';
import type { Locale } from '../../../messages/catalog.ts';
import { deviceText } from './session-views.ts';
import { csrfField, errorSummary, formField, type Problems } from './form-fields.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { dateTimeFormat } from '../../../messages/intl-formats.ts';

export function sudoPage(page: PageContext & { user: User }, options: { next: string; minutes: number }, problems: Problems = []): string {
  const { t } = page;
  return layout(
    page,
    html`<h1>${t('page.sudo.heading')}</h1>
${errorSummary(page, problems, { current_password: 'current_password' })}
<p>${t('page.sudo.intro', { minutes: options.minutes })}</p>
<form method="post" action="/sudo" class="stack" novalidate>
  ${csrfField(page.csrfToken)}
  <input type="hidden" name="next" value="${options.next}">
  <input type="text" name="username" autocomplete="username" value="${page.user.username}" hidden>
  ${formField(page, { name: 'current_password', label: t('page.sudo.current_password'), type: 'password', autocomplete: 'current-password' }, problems)}
  <button type="submit">${t('page.sudo.submit')}</button>
</form>`,
  ).value;
}

function timeText(date: Date, locale: Locale): SafeHtml {
  const words = dateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date);
  return html`<time datetime="${date.toISOString()}">${words} UTC</time>`;
}

function isKnownType(type: string): type is AuditEventType {
  return (AUDIT_EVENT_TYPES as readonly string[]).includes(type);
}

function eventText(page: PageContext, event: StoredAuditEvent, userId: number): SafeHtml {
  const { t } = page;
  const name = isKnownType(event.type) ? t(`activity.event.${event.type}`) : event.type;
  const failed = event.outcome === 'failure' ? html` <strong>(${t('page.activity.failed')})</strong>` : '';
  const byOther =
    event.channel === 'cli' ? html` ${t('page.activity.by_operator')}` : event.actorUserId !== null && event.actorUserId !== userId ? html` ${t('page.activity.by_admin')}` : '';
  return html`${name}${byOther}${failed}`;
}

export function activityPage(page: PageContext & { user: User }, events: readonly StoredAuditEvent[]): string {
  const { t } = page;
  const userId = page.user.id;
  const rows = events.map(
    (event) => html`<tr data-event-type="${event.type}">
  <td>${timeText(event.at, page.locale)}</td>
  <td>${eventText(page, event, userId)}</td>
  <td>${event.userAgent ? deviceText(page, event.userAgent) : t('page.activity.unknown')}</td>
  <td>${event.ip ?? t('page.activity.unknown')}</td>
</tr>`,
  );
  return layout(
    page,
    html`<h1>${t('page.activity.heading')}</h1>
<p>${t('page.activity.intro')} <a href="/settings/secure-account">${t('page.activity.secure_link')}</a></p>
${
  events.length === 0
    ? html`<p>${t('page.activity.empty')}</p>`
    : html`<div class="table-scroll" role="region" aria-labelledby="activity-caption" tabindex="0"><table>
<caption id="activity-caption" class="visually-hidden">${t('page.activity.heading')}</caption>
<thead><tr><th scope="col">${t('page.activity.when')}</th><th scope="col">${t('page.activity.what')}</th><th scope="col">${t('page.activity.device')}</th><th scope="col">${t('page.activity.ip')}</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}`,
  ).value;
}
