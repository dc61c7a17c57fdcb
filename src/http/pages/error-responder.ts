/**
 * How the pages answer an error (the HTML responder server.ts gives registerErrorHandlers).
 * The status, `Retry-After` and sentence come from error-handler.ts; this decides what page
 * leads the person on:
 *  - a stale form (`csrf_failed` on the POST of a page form: an expired or mismatched token)
 *    is shown again, with a fresh token, what was typed (never a password) and a short
 *    explanation; the status stays 403 and nothing was done (the check runs before the
 *    handler). Typed values are echoed only for a same-origin submission, so a forged
 *    cross-site POST cannot pre-fill our form with its words;
 *  - `POST /logout` failing the check with no live session (a stale tab, a second click)
 *    lands on the home page with 303: there was nothing to sign out (public-pages.ts says
 *    why the check stays on for live sessions);
 *  - a 429 on the sign-in or register form keeps the form, with the typed name and email and
 *    the wait in words (status 429 and `Retry-After` kept);
 *  - anything else: the error page, which says what happened and links home.
 * The API's context has its own responder: none of this applies to /api/v1.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatMessage } from '../../messages/catalog.ts';
import type { ErrorResponder } from '../error-handler.ts';
import type { PageTools } from './page-tools.ts';
import { renderLogin, renderRegister, typed } from './public-pages.ts';
import { returnTarget } from '../forward-auth/return-target.ts';
import { renderChangePassword } from './settings-pages.ts';
import { errorPage } from './views/error-view.ts';

const HTML = 'text/html; charset=utf-8';
const CROSS_SITE = new Set(['cross-site', 'same-site']);

/** True when the browser says the submission came from another site (Fetch Metadata, Origin). */
function looksCrossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && CROSS_SITE.has(site)) return true;
  const origin = request.headers.origin;
  return origin !== undefined && origin !== `${request.protocol}://${request.host}`;
}

/** What a re-rendered form says: an explanation above it, or a problem in its summary. */
type Said = { notice: string } | { problems: { message: string }[] };
type FormRenderer = (pages: PageTools, request: FastifyRequest, reply: FastifyReply, said: Said, body: unknown) => string | undefined;

/** Each page form, re-rendered with what it says and the typed values from `body`. */
const FORMS: Readonly<Record<string, FormRenderer>> = {
  '/login': (pages, request, reply, said, body) => {
    const next = typed(body, 'next');
    return renderLogin(pages, request, reply, { username: typed(body, 'username'), next: next && returnTarget(request.server, next), ...said });
  },
  '/register': (pages, request, reply, said, body) => renderRegister(pages, request, reply, { username: typed(body, 'username'), email: typed(body, 'email'), ...said }),
  // Signed in for sure: the access guard ran before the CSRF check.
  '/settings/password': (pages, request, reply, said) => (request.auth ? renderChangePassword(pages, request, reply, said) : undefined),
};

function formPath(request: FastifyRequest): string | undefined {
  if (request.method !== 'POST') return undefined;
  const path = request.url.split('?', 1)[0]!;
  return Object.hasOwn(FORMS, path) ? path : undefined;
}

export function createPageErrorResponder(pages: PageTools): ErrorResponder {
  return function respondWithPage(request, reply, error) {
    const path = formPath(request);
    if (error.code === 'csrf_failed' && request.method === 'POST' && request.url.split('?', 1)[0] === '/logout' && !request.auth) {
      return reply.code(303).redirect('/');
    }
    if (path && error.code === 'csrf_failed') {
      const body = looksCrossSite(request) ? undefined : request.body;
      const page = FORMS[path]!(pages, request, reply, { notice: formatMessage('page.form.stale', {}, request.locale) }, body);
      if (page) return reply.type(HTML).send(page);
    }
    // 429 from the form's own limiter: the wait is the form's problem. The request-rate
    // limiter's 429 comes before cookies and body are read (no session known: rendering a
    // form there would mint a pre-session over a real one), so it gets the error page.
    if (path && error.code === 'too_many_requests' && path !== '/settings/password' && request.body !== undefined) {
      const page = FORMS[path]!(pages, request, reply, { problems: [{ message: error.message }] }, request.body);
      if (page) return reply.type(HTML).send(page);
    }
    return reply.type(HTML).send(errorPage(pages.context(request, reply, 'page.title.error'), error.status, error.message));
  };
}
