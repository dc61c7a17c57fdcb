/**
 * B10 and B11: forward-auth calls per second with a signed-in proxy cookie, against the
 * bare-Fastify baseline answering the same request with the same bytes (target ≥ 0.5 each).
 *   B10  GET /auth/verify        (Traefik/Caddy: X-Forwarded-Method/-Proto/-Host/-Uri)
 *   B11  GET /auth/verify/nginx  (nginx: X-Original-URL, X-Original-Method)
 *   baseline  GET /forward: 200, empty body, the headers of a real "allowed" answer captured
 *             in this run (fixture.mjs `captureForwardAuth`), X-Gatehouse-Jwt included.
 * Same method as B1/B2 (throughput.mjs): autocannon, closed loop, cfg.connections
 * connections; both sides get the same request headers (the proxy cookie and the dialect's
 * headers for https://app.example.test/…). One target throughout, so Gatehouse re-signs its
 * JWT once every 30 s (jwt.ts reuses a token while it has half its 60 s left) and checks the
 * session in the store on every call, as it does for a user browsing one application.
 */
import { VERIFY_PATHS } from '../lib/forward-auth-requests.mjs';
import { fmt } from '../lib/report.mjs';
import { latencyRow, throughputFigure } from './throughput.mjs';

const TARGET = 0.5;

function forwardAuthFigure(id, dialect) {
  const label = VERIFY_PATHS[dialect];
  return {
    id,
    shared: true,
    run: (ctx, shared) =>
      throughputFigure(ctx, shared, {
        id,
        what: `GET ${label} with a signed-in proxy cookie (allowed, 200 + Remote-* + X-Gatehouse-Jwt)`,
        ghPath: label,
        basePath: '/forward',
        headers: shared.forwardAuth.requests[dialect],
        target: TARGET,
      }),
    rows: (f) => [[id, `GET ${label} (proxy cookie, allowed), req/s`, fmt(f.gatehouse), `${fmt(f.baseline)} (bare Fastify, same headers)`, fmt(f.ratio, 3), `≥ ${TARGET}`], latencyRow(f)],
  };
}

export const B10 = forwardAuthFigure('B10', 'forwarded');
export const B11 = forwardAuthFigure('B11', 'nginx');
