/**
 * Mail composition: each kind of message is a subject, paragraphs and at most one action
 * link, all from the catalog (`mail.<kind>.*`, English and Spanish) in the recipient's
 * language; the plain-text and HTML bodies are built from the same parts, the HTML escaped
 * by the `html` tag like every page. Links are made absolute from BASE_URL; a link is never
 * logged (the queue seals the message, transports.ts logs only recipient and kind).
 *
 * The kinds are the table in mail-kinds.ts, registered at load (a missing catalog key fails
 * then, not at send); tests may add their own with `defineMailKind`.
 */
import type { MailComposer, MailRequest, OutgoingMail } from '../domain/ports.ts';
import { html, type SafeHtml } from '../http/pages/views/html.ts';
import { formatMessage, isLocale, isMessageKey, type Locale, type MessageKey } from './catalog.ts';
import { MAIL_KINDS } from './mail-kinds.ts';

export interface MailKind {
  subject: MessageKey;
  /** Paragraphs before the action link. */
  paragraphs: readonly MessageKey[];
  /** The call to action: its label, and the name of the link in `MailRequest.links`. */
  action?: { label: MessageKey; link: string };
  /** Paragraphs after the action link (what to do if it was not you, how long the link works). */
  after?: readonly MessageKey[];
}

const kinds = new Map<string, MailKind>();

/** Registers a kind; each key must exist in the catalog (a typo fails at start, not at send). */
export function defineMailKind(name: string, kind: MailKind): void {
  for (const key of [kind.subject, ...kind.paragraphs, ...(kind.after ?? []), ...(kind.action ? [kind.action.label] : [])]) {
    if (!isMessageKey(key)) throw new Error(`mail kind ${name}: no catalog entry ${key}`);
  }
  kinds.set(name, kind);
}

for (const [name, kind] of Object.entries(MAIL_KINDS)) defineMailKind(name, kind);

function bodyHtml(title: string, paragraphs: string[], action: { label: string; url: string } | undefined, after: string[], footer: string, locale: Locale): SafeHtml {
  return html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${title}</title></head>
<body>
${paragraphs.map((p) => html`<p>${p}</p>`)}
${action ? html`<p><a href="${action.url}">${action.label}</a></p><p>${action.url}</p>` : ''}
${after.map((p) => html`<p>${p}</p>`)}
<p>${footer}</p>
</body></html>`;
}

export function createMailComposer(options: { baseUrl: () => string }): MailComposer {
  return {
    compose(request: MailRequest): OutgoingMail {
      const kind = kinds.get(request.kind);
      if (!kind) throw new Error(`unknown mail kind ${request.kind}`);
      const locale: Locale = isLocale(request.locale) ? request.locale : 'en';
      // Every link is also a `{<name>Url}` value for sentences that quote one.
      const absolute = Object.fromEntries(Object.entries(request.links ?? {}).map(([name, path]) => [`${name}Url`, new URL(path, options.baseUrl()).href]));
      const params = { ...request.params, ...absolute };
      const t = (key: MessageKey) => formatMessage(key, params, locale);
      const paragraphs = kind.paragraphs.map(t);
      const after = (kind.after ?? []).map(t);
      const path = kind.action ? request.links?.[kind.action.link] : undefined;
      if (kind.action && path === undefined) throw new Error(`mail kind ${request.kind}: link ${kind.action.link} missing`);
      const action = kind.action && path !== undefined ? { label: t(kind.action.label), url: new URL(path, options.baseUrl()).href } : undefined;
      const subject = t(kind.subject);
      const footer = formatMessage('mail.footer', {}, locale);
      const text = [...paragraphs, ...(action ? [`${action.label}: ${action.url}`] : []), ...after, '--', footer].join('\n\n');
      return { to: request.to, kind: request.kind, subject, text, html: bodyHtml(subject, paragraphs, action, after, footer, locale).value };
    },
  };
}
