/**
 * Security headers on every response (CONTRACT "Cookies and headers"; ASVS 14.4): a CSP
 * with no inline or eval'd script anywhere, framing denied twice over (CSP and
 * X-Frame-Options), no referrer to other sites (reset links carry tokens), nosniff, and HSTS
 * in production. Pages default to `Cache-Control: no-store` so a shared machine's back
 * button shows nothing private (ASVS 8.2.1); static assets set their own caching.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

async function securityHeaders(app: FastifyInstance, options: { production: boolean }) {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...CONTENT_SECURITY_POLICY, ...(options.production ? { upgradeInsecureRequests: [] } : {}) },
    },
    frameguard: { action: 'deny' },
    // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts,
    // which the CSRF check must refuse. Cross-origin requests still get no referrer.
    referrerPolicy: { policy: 'same-origin' },
    hsts: options.production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  app.addHook('onRequest', async function noStoreByDefault(_request: FastifyRequest, reply: FastifyReply) {
    reply.header('cache-control', 'no-store');
  });
}

export default fp(securityHeaders, { name: 'security-headers' });
