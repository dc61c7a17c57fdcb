/**
 * What a browser sees when forward-auth refuses a signed-in visitor (403): which rule stopped
 * them and the one step that gets them in, when there is one. A JSON body would be shown raw:
 * Traefik and Caddy hand the verify answer to the browser as it is (nginx shows its own 403).
 *
 * The page is served on the protected application's host, not Gatehouse's, so it is
 * self-contained: no script, no file to fetch from there; its few style rules are inline and
 * allowed by their SHA-256 in this response's CSP (`REFUSAL_STYLE_SOURCE`, no 'unsafe-inline');
 * an empty data: icon (else the browser asks the application for /favicon.ico, which the proxy
 * would refuse again); every link absolute to BASE_URL. Text is the catalog's, escaped; the
 * username is the only account data on it.
 */
import { createHash } from 'node:crypto';
import type { AccessDecision } from '../../domain/forward-auth/rules.ts';
import { type Locale, formatMessage, type MessageKey } from '../../messages/catalog.ts';
import { html, SafeHtml } from '../pages/views/html.ts';

export type AccountRefusal = Exclude<AccessDecision, 'allowed'>;

/**
 * Colours set explicitly for both schemes (contrast ≥ 4.5:1: #0b57d0 on white 6.3, #a8c7fa on
 * #121316 10.5), since a page left to the browser's defaults gets dark-mode link colours that
 * checkers measure against white.
 */
const STYLE = [
  ':root{color-scheme:light dark}',
  'body{margin:0 auto;max-width:38rem;padding:2rem 1rem;font:1rem/1.5 system-ui,sans-serif;background:#fff;color:#1b1b1f}',
  'a{color:#0b57d0}',
  '@media (prefers-color-scheme:dark){body{background:#121316;color:#e6e6ea}a{color:#a8c7fa}}',
].join('');

/** The CSP source that allows exactly this page's style element. */
export const REFUSAL_STYLE_SOURCE = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

interface Action {
  href: string;
  label: MessageKey;
}

/** The way forward for each refusal: the step that lifts it, else Gatehouse's own pages. */
function actionsFor(reason: AccountRefusal, baseUrl: string, targetUrl: string): Action[] {
  const home: Action = { href: `${baseUrl}/dashboard`, label: 'forward_auth.page.open_gatehouse' };
  switch (reason) {
    // /sudo records a fresh authentication (what max_age measures), then returns to the target.
    case 'reauthentication_required':
      return [{ href: `${baseUrl}/sudo?next=${encodeURIComponent(targetUrl)}`, label: 'forward_auth.page.confirm_password' }, home];
    case 'second_factor_required':
      return [{ href: `${baseUrl}/settings/two-factor`, label: 'forward_auth.page.two_factor' }, home];
    case 'password_change_required':
      return [{ href: `${baseUrl}/settings/password`, label: 'forward_auth.page.change_password' }];
    case 'group_required':
      return [home];
  }
}

export function refusalPage(input: { locale: Locale; reason: AccountRefusal; username: string; baseUrl: string; targetUrl: string }): string {
  const t = (key: MessageKey, params?: Record<string, string>) => formatMessage(key, params, input.locale);
  const actions = actionsFor(input.reason, input.baseUrl, input.targetUrl);
  return html`<!doctype html>
<html lang="${input.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<style>${new SafeHtml(STYLE)}</style>
<title>${t('forward_auth.page.title')} · Gatehouse</title>
</head>
<body>
<main>
<h1>${t('forward_auth.page.title')}</h1>
<p data-refusal="${input.reason}">${t(`forward_auth.${input.reason}`)}</p>
<ul>
${actions.map((action) => html`<li><a href="${action.href}">${t(action.label)}</a></li>\n`)}</ul>
<p>${t('forward_auth.page.signed_in_as', { username: input.username })}</p>
</main>
</body>
</html>
`.value;
}
