/** JSON API schemas (zod): they validate requests and are the source of the OpenAPI document. */
import { z } from 'zod';
import type { User } from '../../domain/users/user.ts';
import { textField } from '../text-field.ts';

export const registerBody = z.object({ username: textField(200), email: textField(320), password: textField(4096) }).strict();
export const loginBody = z.object({ username: textField(320), password: textField(4096) }).strict();

export const userJson = z.object({
  id: z.number().int(),
  username: z.string(),
  email: z.string(),
  role: z.enum(['user', 'admin']),
  createdAt: z.string().describe('ISO 8601 instant'),
  mustChangePassword: z.boolean().describe('the password fails the policy: change it at /settings/password before anything else'),
});

export const errorJson = z.object({
  error: z.string().describe('stable error code'),
  message: z.string(),
  problems: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })).optional(),
});

export const csrfJson = z.object({ csrfToken: z.string() });
export const meJson = z.object({ user: userJson });
export const loginJson = z.object({ user: userJson, csrfToken: z.string().describe('the new session’s CSRF token') });

export function toUserJson(user: User) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    mustChangePassword: user.mustChangePassword,
  };
}
