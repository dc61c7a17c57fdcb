/**
 * The home page keeps the Flask demo's teaching role: it says in plain words each protection
 * Gatehouse applies, each under its own anchor (`/#csrf`, …) so they can be linked, and
 * points to the README's Security section in words (a repository path is not servable here,
 * so no dead link). A signed-in visitor also sees the account at a glance.
 */
import type { User } from '../../../domain/users/user.ts';
import type { MessageKey } from '../../../messages/catalog.ts';
import { accountSummary } from './account-views.ts';
import { html } from './html.ts';
import { layout, type PageContext, richText } from './layout.ts';

/** Each lesson: its anchor and its `page.home.<topic>.title` / `.body` sentences. */
export const PROTECTIONS = ['hashing', 'sessions', 'csrf', 'throttling', 'policy', 'errors', 'headers', 'escaping'] as const;

export function homePage(page: PageContext, settings: { minLength: number }): string {
  const { t, user } = page;
  const key = (topic: string, part: 'title' | 'body') => `page.home.${topic}.${part}` as MessageKey;
  const cta = user
    ? html`<p><a class="button" href="/dashboard">${t('page.home.dashboard_link')}</a></p>`
    : html`<p>${richText(page, 'page.home.cta', {
        signIn: html`<a class="button" href="/login">${t('page.home.sign_in_link')}</a>`,
        register: html`<a href="/register">${t('page.home.register_link')}</a>`,
      })}</p>`;
  return layout(
    page,
    html`<h1>${t('page.home.heading')}</h1>
<p class="lead">${t('page.home.lead')}</p>
${cta}
${user ? accountSummary({ ...page, user: user as User }) : ''}
<nav aria-labelledby="contents-heading" class="contents">
  <h2 id="contents-heading">${t('page.home.contents')}</h2>
  <ul>${PROTECTIONS.map((topic) => html`<li><a href="#${topic}">${t(key(topic, 'title'))}</a></li>`)}</ul>
</nav>
<h2>${t('page.home.protections_heading')}</h2>
${PROTECTIONS.map(
  (topic) => html`<section class="lesson" id="${topic}" aria-labelledby="${topic}-title">
  <h3 id="${topic}-title">${t(key(topic, 'title'))}</h3>
  <p>${t(key(topic, 'body'), { minLength: settings.minLength })}</p>
</section>`,
)}
<p>${t('page.home.readme')}</p>`,
  ).value;
}
