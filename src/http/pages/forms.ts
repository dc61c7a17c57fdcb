/**
 * Form schemas (application/x-www-form-urlencoded). Repeated fields arrive as arrays and
 * fail `z.string()`; NUL bytes and over-long values are refused before any domain work.
 */
import { z } from 'zod';

const NO_NUL = (value: string) => !value.includes('\u0000');

export const formText = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be given once, as text') })
   .max(max, `must be at most ${max} characters`).refine(NO_NUL, 'must not contain NUL bytes');

export const registerForm = z.object({
  username: formText(200),
  email: formText(320),
  password: formText(4096),
});

export const changePasswordForm = z.object({
  current_password: formText(4096),
  new_password: formText(4096),
  username: formText(320).optional(),
});

export const loginForm = z.object({
  username: formText(320),
  password: formText(4096),
  next: formText(2048).optional(),
});

/** The first problem of each field, as `{ field, message }` for the form's error list. */
export function formProblems(error: z.ZodError): { field: string; message: string }[] {
  const seen = new Set<string>();
  const problems: { field: string; message: string }[] = [];
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push({ field, message: `${field[0]!.toUpperCase()}${field.slice(1)} ${issue.message}.` });
  }
  return problems;
}
