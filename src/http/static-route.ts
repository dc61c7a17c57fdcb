/**
 * Static assets as one declared route, `GET /static/*` with `access: 'public'` (HEAD comes
 * with it), instead of the undeclared routes @fastify/static would add: that plugin is
 * registered with `serve: false` and only lends `reply.sendFile`. Same behaviour as before:
 *  - only the files present under `root` at start-up are served (what `wildcard: false`
 *    did), so any other path — `..`, encoded slashes, dotfiles, files added later — is 404;
 *  - the `.br`/`.gz` sibling is sent when Accept-Encoding allows, with its Content-Encoding
 *    and `Vary: Accept-Encoding`;
 *  - cached a year as immutable: every URL the pages use carries the content hash (assets.ts).
 * Register after route-rules, like every route.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const STATIC_PREFIX = '/static/';

/** Files under `root`, as posix paths relative to it; dotfiles, their folders and symlinks left out. */
async function listServedFiles(root: string): Promise<ReadonlySet<string>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((file) => !file.split('/').some((segment) => segment.startsWith('.')));
  return new Set(files);
}

export async function staticRoute(app: FastifyInstance, options: { root: string }) {
  await app.register(fastifyStatic, {
    root: options.root,
    serve: false,
    immutable: true,
    maxAge: '365d',
    index: false,
    preCompressed: true,
  });
  const served = await listServedFiles(options.root);

  app.get(`${STATIC_PREFIX}*`, { config: { access: 'public' } }, async function sendStaticFile(request, reply) {
    const file = (request.params as { '*': string })['*'];
    if (!served.has(file)) return reply.callNotFound();
    return reply.sendFile(file);
  });
}
