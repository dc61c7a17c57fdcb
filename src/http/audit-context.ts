/** Who acts, from where, as the audit log records it: built from the request at the edge. */
import type { FastifyRequest } from 'fastify';
import { AUDIT_USER_AGENT_MAX, type AuditContext } from '../domain/audit/events.ts';

export function auditContext(request: FastifyRequest): AuditContext {
  const userAgent = request.headers['user-agent'];
  return {
    actorUserId: request.auth?.user.id ?? null,
    ip: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, AUDIT_USER_AGENT_MAX) : null,
    channel: request.url.startsWith('/api/') ? 'api' : 'web',
  };
}
