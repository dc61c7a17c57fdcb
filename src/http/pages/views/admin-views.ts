/**
 * The admin console's shell and its two list pages: the home (sign-in activity charts, the
 * top failing IPs and accounts, headline counts) and the user list (search by username or
 * email prefix, filters, sort, keyset pages). Every filter is a GET form (nothing changes),
 * every value shown is escaped; the console's own navigation marks the current page.
 */
import type { AdminOverview } from '../../../domain/admin/overview.ts';
import type { User } from '../../../domain/users/user.ts';
import type { MessageKey } from '../../../messages/catalog.ts';
import { signInChart } from './admin-chart.ts';
import { errorSummary, type Problems } from './form-fields.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { dateText } from './account-views.ts';

export type AdminPageContext = PageContext & { user: User };

function adminNavigation(page: AdminPageContext): SafeHtml {
  const links: [string, MessageKey][] = [
    ['/admin', 'page.admin.nav.overview'],
    ['/admin/users', 'page.admin.nav.users'],
    ['/admin/audit', 'page.admin.nav.audit'],
    ['/admin/oidc-clients', 'page.admin.nav.oidc'],
  ];
  return html`<nav class="admin-nav" aria-label="${page.t('page.admin.nav.label')}"><ul>${links.map(
    ([href, key]) => html`<li><a href="${href}"${page.path === href ? html` aria-current="page"` : ''}>${page.t(key)}</a></li>`,
  )}</ul></nav>`;
}

/** The page shell with the console's navigation above the page's own content. */
export function adminLayout(page: AdminPageContext, body: SafeHtml): string {
  return layout(page, html`<div class="admin-page">${adminNavigation(page)}${body}</div>`).value;
}

/** Page links (first page, next page), or nothing when there is no other page. */
export function pager(page: PageContext, links: readonly (SafeHtml | null)[]): SafeHtml {
  const present = links.filter((link): link is SafeHtml => link !== null);
  if (present.length === 0) return html``;
  return html`<nav class="pager" aria-label="${page.t('page.admin.pager_label')}"><ul class="link-list inline-links">${present.map((link) => html`<li>${link}</li>`)}</ul></nav>`;
}

function countsList(page: AdminPageContext, counts: AdminOverview['counts']): SafeHtml {
  const { t } = page;
  return html`<dl class="facts admin-counts">
  <dt>${t('page.admin.home.users')}</dt><dd data-count="users">${counts.users}</dd>
  <dt>${t('page.admin.home.live_sessions')}</dt><dd data-count="live-sessions">${counts.liveSessions}</dd>
  <dt>${t('page.admin.home.unverified')}</dt><dd data-count="unverified">${counts.unverified}</dd>
  <dt>${t('page.admin.home.disabled')}</dt><dd data-count="disabled">${counts.disabled}</dd>
  <dt>${t('page.admin.home.admins')}</dt><dd data-count="admins">${counts.admins}</dd>
</dl>`;
}

function failingTables(page: AdminPageContext, overview: AdminOverview): SafeHtml {
  const { t } = page;
  const ips =
    overview.failingIps.length === 0
      ? html`<p>${t('page.admin.home.no_failures')}</p>`
      : html`<table class="admin-table" data-failing="ips"><caption class="visually-hidden">${t('page.admin.home.failing_ips')}</caption>
<thead><tr><th scope="col">${t('page.admin.home.ip')}</th><th scope="col">${t('page.admin.home.failures')}</th></tr></thead>
<tbody>${overview.failingIps.map(
          ({ ip, count }) =>
            html`<tr><td><a href="/admin/audit?${new URLSearchParams({ type: 'login.failed', ip }).toString()}">${ip}</a></td><td>${count}</td></tr>`,
        )}</tbody></table>`;
  const accounts =
    overview.failingAccounts.length === 0
      ? html`<p>${t('page.admin.home.no_failures')}</p>`
      : html`<table class="admin-table" data-failing="accounts"><caption class="visually-hidden">${t('page.admin.home.failing_accounts')}</caption>
<thead><tr><th scope="col">${t('page.admin.home.account')}</th><th scope="col">${t('page.admin.home.failures')}</th></tr></thead>
<tbody>${overview.failingAccounts.map(
          ({ userId, username, count }) =>
            html`<tr><td>${username === null ? t('page.admin.events.deleted_user', { id: userId }) : html`<a href="/admin/users/${userId}">${username}</a>`}</td><td>${count}</td></tr>`,
        )}</tbody></table>`;
  return html`<div class="admin-columns">
<section aria-labelledby="failing-ips-heading"><h3 id="failing-ips-heading">${t('page.admin.home.failing_ips')}</h3>${ips}</section>
<section aria-labelledby="failing-accounts-heading"><h3 id="failing-accounts-heading">${t('page.admin.home.failing_accounts')}</h3>${accounts}</section>
</div>`;
}

export function adminHomePage(page: AdminPageContext, overview: AdminOverview): string {
  const { t } = page;
  return adminLayout(
    page,
    html`<h1>${t('page.admin.home.heading')}</h1>
<p>${t('page.admin.home.intro')}</p>
<section aria-labelledby="counts-heading"><h2 id="counts-heading">${t('page.admin.home.counts_heading')}</h2>${countsList(page, overview.counts)}</section>
<section aria-labelledby="activity-heading"><h2 id="activity-heading">${t('page.admin.home.activity_heading')}</h2>
<p class="hint">${t('page.admin.home.activity_hint')}</p>
${signInChart(page, 'hourly', overview.hourly)}
${signInChart(page, 'daily', overview.daily)}
</section>
<section aria-labelledby="failing-heading"><h2 id="failing-heading">${t('page.admin.home.failing_heading')}</h2>${failingTables(page, overview)}</section>`,
  );
}

/** The user list's search as typed (strings, for the form and the links). */
export interface UserSearchForm {
  q: string;
  role: string;
  state: string;
  sort: string;
  direction: string;
}

export interface UsersPageData {
  form: UserSearchForm;
  users: readonly User[];
  next: string | null;
  /** True on a page after the first. */
  paged: boolean;
  problems: Problems;
}

/** The search as a query string (empty values left out). */
export function searchQuery(form: UserSearchForm, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...form, ...extra })) if (value) query.set(name, value);
  const text = query.toString();
  return text ? `?${text}` : '';
}

function select(page: AdminPageContext, id: string, name: string, label: MessageKey, current: string, options: readonly [string, MessageKey][], invalid: boolean): SafeHtml {
  return html`<div class="field"><label for="${id}">${page.t(label)}</label>
  <select id="${id}" name="${name}"${invalid ? html` aria-invalid="true"` : ''}>${options.map(
    ([value, key]) => html`<option value="${value}"${current === value ? html` selected` : ''}>${page.t(key)}</option>`,
  )}</select></div>`;
}

function searchForm(page: AdminPageContext, form: UserSearchForm, problems: Problems): SafeHtml {
  const { t } = page;
  const invalid = (field: string) => problems.some((problem) => problem.field === field);
  return html`<form method="get" action="/admin/users" class="admin-filters" role="search" novalidate>
<div class="field wide"><label for="users-q">${t('page.admin.users.search')}</label>
  <p class="hint" id="users-q-hint">${t('page.admin.users.search_hint')}</p>
  <input id="users-q" name="q" type="search" value="${form.q}" maxlength="254" autocomplete="off" autocapitalize="none" spellcheck="false" aria-describedby="users-q-hint"${invalid('q') ? html` aria-invalid="true"` : ''}></div>
${select(page, 'users-role', 'role', 'page.admin.users.role', form.role, [['', 'page.admin.users.any_role'], ['user', 'page.admin.role.user'], ['admin', 'page.admin.role.admin']], invalid('role'))}
${select(page, 'users-state', 'state', 'page.admin.users.state', form.state, [['', 'page.admin.users.any_state'], ['disabled', 'page.admin.users.state_disabled'], ['unverified', 'page.admin.users.state_unverified'], ['verified', 'page.admin.users.state_verified']], invalid('state'))}
${select(page, 'users-sort', 'sort', 'page.admin.users.sort', form.sort, [['username', 'page.admin.users.sort_username'], ['created', 'page.admin.users.sort_created']], invalid('sort'))}
${select(page, 'users-direction', 'direction', 'page.admin.users.direction', form.direction, [['asc', 'page.admin.users.ascending'], ['desc', 'page.admin.users.descending']], invalid('direction'))}
<div class="form-actions"><button type="submit">${t('page.admin.users.submit')}</button> <a href="/admin/users">${t('page.admin.users.clear')}</a></div>
</form>`;
}

/** What the list says of an account's state, in words (never colour alone). */
export function userState(page: PageContext, user: User): string {
  if (user.disabled) return page.t('page.admin.users.state_disabled');
  return page.t(user.emailVerifiedAt ? 'page.admin.users.state_active' : 'page.admin.users.state_unverified');
}

export function roleName(page: PageContext, role: User['role']): string {
  return page.t(role === 'admin' ? 'page.admin.role.admin' : 'page.admin.role.user');
}

function usersTable(page: AdminPageContext, users: readonly User[]): SafeHtml {
  const { t } = page;
  if (users.length === 0) return html`<p>${t('page.admin.users.none')}</p>`;
  return html`<div class="table-scroll" role="region" aria-labelledby="users-caption" tabindex="0">
<table class="admin-table">
<caption id="users-caption">${t('page.admin.users.caption')}</caption>
<thead><tr><th scope="col">${t('page.admin.users.username')}</th><th scope="col">${t('page.admin.users.email')}</th><th scope="col">${t('page.admin.users.role')}</th><th scope="col">${t('page.admin.users.state')}</th><th scope="col">${t('page.admin.users.created')}</th></tr></thead>
<tbody>${users.map(
    (user) => html`<tr data-user-id="${user.id}">
  <th scope="row"><a href="/admin/users/${user.id}">${user.username}</a></th>
  <td>${user.email}</td>
  <td>${roleName(page, user.role)}</td>
  <td>${userState(page, user)}</td>
  <td>${dateText(user.createdAt, page.locale)}</td>
</tr>`,
  )}</tbody>
</table>
</div>`;
}

export function usersPage(page: AdminPageContext, data: UsersPageData): string {
  const { t } = page;
  const { form } = data;
  return adminLayout(
    page,
    html`<h1>${t('page.admin.users.heading')}</h1>
${errorSummary(page, data.problems, { q: 'users-q', role: 'users-role', state: 'users-state', sort: 'users-sort', direction: 'users-direction', cursor: 'users-q' })}
${searchForm(page, form, data.problems)}
${data.problems.length > 0 ? '' : usersTable(page, data.users)}
${pager(page, [
  data.paged ? html`<a href="/admin/users${searchQuery(form)}">${t('page.admin.users.first_page')}</a>` : null,
  data.next ? html`<a href="/admin/users${searchQuery(form, { cursor: data.next })}" rel="next">${t('page.admin.users.next_page')}</a>` : null,
])}`,
  );
}
