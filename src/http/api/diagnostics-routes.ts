/**
 * `GET /api/v1/diagnostics/request`: what this server made of the request that reached it, the
 * client address, scheme and host after `TRUST_PROXY` was applied. `gatehouse doctor --url`
 * sends one with a made-up `X-Forwarded-For` to see whether a client can choose the address
 * every rate limit and audit row uses (ASVS v5.0.0-15.3.4, 4.1.3). It tells a caller nothing
 * about anyone but itself (its own address, as any "what is my IP" page does), reads no
 * session and stores nothing.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ALWAYS, errorResponses, jsonResponse } from './openapi.ts';

export const requestDiagnosisJson = z.object({
  ip: z.string().describe('The client address as this server resolved it (after TRUST_PROXY).'),
  protocol: z.enum(['http', 'https']).describe('The scheme as resolved (`X-Forwarded-Proto` from a trusted proxy, else the socket).'),
  host: z.string().describe('The host as resolved (`X-Forwarded-Host` from a trusted proxy, else `Host`).'),
  forwardedHops: z.number().int().describe('How many addresses the `X-Forwarded-For` chain held (0 without one).'),
});

export async function diagnosticsApiRoutes(parent: FastifyInstance) {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/diagnostics/request',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'diagnoseRequest',
        tags: ['operations'],
        summary: 'How this server sees the request',
        description:
          'The client address, scheme and host this server resolved for this very request, after applying `TRUST_PROXY`. For checking a proxy set-up (`gatehouse doctor --url`): behind a correctly trusted proxy, `ip` is the real client and a client-sent `X-Forwarded-For` does not change it.',
        security: [{}],
        response: { 200: jsonResponse(requestDiagnosisJson, 'The resolved request.'), ...errorResponses({ ...ALWAYS }) },
      },
    },
    async (request, reply) => {
      const forwarded = request.headers['x-forwarded-for'];
      const chain = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').filter((part) => part.trim() !== '');
      reply.header('cache-control', 'no-store');
      return { ip: request.ip, protocol: request.protocol === 'https' ? 'https' : 'http', host: request.host, forwardedHops: chain.length } as const;
    },
  );
}
