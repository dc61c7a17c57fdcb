/**
 * `GET /api/v1/docs`: the browsable API reference, same origin and under the same strict CSP
 * as every page (no third-party renderer: Redoc, Swagger UI and Scalar inject inline
 * styles). It renders the document `GET /api/v1/openapi.json` serves, inside the page layout,
 * in the request's language (`?lang=es`). Anyone may open it; it changes nothing.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import { loadAssets } from '../assets.ts';
import { createPageTools, type PageTools } from '../pages/page-tools.ts';
import { apiReferencePage, type ApiDocument } from './reference-view.ts';

export interface ApiReferenceOptions {
  document: () => object;
  /** The server's page tools; made from `config` and `csrfKey` when not given. */
  pages: PageTools | undefined;
  config: Pick<Config, 'sessions' | 'passwords'>;
  csrfKey: Buffer;
}

export async function apiReferenceRoute(app: FastifyInstance, options: ApiReferenceOptions) {
  const pages =
    options.pages ?? createPageTools({ csrfKey: options.csrfKey, sessions: options.config.sessions, passwords: options.config.passwords, assets: loadAssets() });

  app.get('/docs', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const page = pages.context(request, reply, 'apiref.title');
    return reply.type('text/html; charset=utf-8').send(apiReferencePage(page, options.document() as ApiDocument).value);
  });
}
