/**
 * The page shell: head (stylesheet, favicon, same-origin scripts only), a skip link, the
 * header with the product mark and the navigation (the current page marked
 * `aria-current="page"`), the flash notice, and a footer with the language switcher. Every
 * sentence comes from the catalog in the page's language (`page.t`); nothing inline (no
 * style attribute, no inline script), so the CSP stays `script-src 'self'; style-src 'self'`.
 */
import { hasPermission } from '../../../domain/users/permissions.ts';
import type { User } from '../../../domain/users/user.ts';
import { LOCALES, type Locale, type MessageKey, type MessageParams } from '../../../messages/catalog.ts';
import { escapeHtml, html, SafeHtml } from './html.ts';

export interface PageAssets {
  stylesheet: string;
  strengthMeter?: string;
  /** The product mark (SVG) shown in the header, and the favicon. */
  mark?: string;
  favicon?: string;
  /** Error-summary focus and the show-password toggle (public/forms.js). */
  forms?: string;
  /** The passkey ceremonies (public/passkeys.js), for the pages that embed passkey controls. */
  passkeys?: string;
}

export interface PageContext {
  title: string;
  /** The page's language (`<html lang>`), and its catalog: `t('page.home.title', { … })`. */
  locale: Locale;
  t: (key: MessageKey, params?: MessageParams) => string;
  user: User | null;
  csrfToken: string;
  assets: PageAssets;
  notice?: string | undefined;
  /** Extra scripts, same-origin only (CSP `script-src 'self'`). */
  scripts?: string[];
  /** The request's path (no query): marks the current navigation entry. */
  path?: string;
  /** The request's query, for the language links (which keep it, changing only `lang`). */
  query?: Readonly<Record<string, string>>;
}

/**
 * A catalog sentence with markup in its placeholders: `SafeHtml` values are inserted as
 * markup, everything else (the sentence itself included) is escaped. The sentence stays one
 * ICU message (no pieces glued together); the markup travels through a private-use marker.
 */
export function richText(page: PageContext, key: MessageKey, params: Readonly<Record<string, SafeHtml | string | number>>): SafeHtml {
  const markup: SafeHtml[] = [];
  const plain: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value instanceof SafeHtml) {
      plain[name] = `\uE000${markup.length}\uE001`;
      markup.push(value);
    } else plain[name] = value;
  }
  const parts = page.t(key, plain).split(/\uE000(\d+)\uE001/);
  return new SafeHtml(parts.map((part, i) => (i % 2 === 1 ? markup[Number(part)]!.value : escapeHtml(part))).join(''));
}

/** `aria-current="page"` when `href` is the page being shown. */
function current(page: PageContext, href: string): SafeHtml {
  return page.path === href ? html` aria-current="page"` : html``;
}

function navigation(page: PageContext): SafeHtml {
  const { t, user } = page;
  const link = (href: string, key: MessageKey) => html`<a href="${href}"${current(page, href)}>${t(key)}</a>`;
  return html`<nav aria-label="${t('page.nav.label')}"><ul class="nav-list">${
    user
      ? html`<li>${link('/dashboard', 'page.nav.dashboard')}</li>
    <li>${link('/profile', 'page.nav.profile')}</li>
    <li>${link('/settings/password', 'page.nav.password')}</li>
    ${hasPermission(user, 'users:read') ? html`<li>${link('/admin', 'page.nav.admin')}</li>` : ''}
    <li><form class="inline" method="post" action="/logout">
      <input type="hidden" name="csrf_token" value="${page.csrfToken}">
      <button type="submit" class="link">${t('page.nav.sign_out')}</button>
    </form></li>`
      : html`<li>${link('/login', 'page.nav.sign_in')}</li> <li>${link('/register', 'page.nav.register')}</li>`
  }</ul></nav>`;
}

/**
 * The language switcher: a query-only relative link (`?…&lang=es`), so it stays on this
 * path and can never point at another host whatever the request's path looks like.
 */
function languageLinks(page: PageContext): SafeHtml {
  const links = LOCALES.map((locale) => {
    const query = new URLSearchParams(Object.entries(page.query ?? {}).filter(([name]) => name !== 'lang'));
    query.set('lang', locale);
    const here = locale === page.locale ? html` aria-current="true"` : html``;
    return html`<li><a href="?${query.toString()}" hreflang="${locale}" lang="${locale}"${here}>${page.t(`page.lang.${locale}`)}</a></li>`;
  });
  return html`<nav class="languages" aria-label="${page.t('page.footer.language')}"><ul>${links}</ul></nav>`;
}

export function layout(page: PageContext, body: SafeHtml): SafeHtml {
  const { t } = page;
  return html`<!doctype html>
<html lang="${page.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${page.title} · Gatehouse</title>
${page.assets.favicon ? html`<link rel="icon" href="${page.assets.favicon}" type="image/svg+xml">` : html`<link rel="icon" href="data:,">`}
<link rel="stylesheet" href="${page.assets.stylesheet}">
${page.assets.forms ? html`<script src="${page.assets.forms}" defer></script>` : ''}
${(page.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<a class="skip-link" href="#main">${t('page.skip_link')}</a>
<header class="top">
  <a class="brand" href="/" aria-label="${t('page.nav.home_label')}">${
    page.assets.mark ? html`<img class="mark" src="${page.assets.mark}" alt="" width="32" height="32">` : ''
  }<span>Gatehouse</span></a>
  ${navigation(page)}
</header>
<main id="main" tabindex="-1">
${page.notice ? html`<p class="notice" role="status">${page.notice}</p>` : ''}
${body}
</main>
<footer class="bottom">
  <p>${t('page.footer.tagline')}</p>
  ${languageLinks(page)}
</footer>
</body>
</html>`;
}
