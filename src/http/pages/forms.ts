/**
 * Form schemas (application/x-www-form-urlencoded), built from the shared bounded text field.
 */
import { z } from 'zod';
import { formatMessage, isMessageKey } from '../../messages/catalog.ts';
import { textField } from '../text-field.ts';

export const registerForm = z.object({
  username: textField(200),
  email: textField(320),
  password: textField(4096),
});

export const changePasswordForm = z.object({
  current_password: textField(4096),
  new_password: textField(4096),
  username: textField(320).optional(),
});

export const loginForm = z.object({
  username: textField(320),
  password: textField(4096),
  next: textField(2048).optional(),
});

/** The first problem of each field, as `{ field, message }` for the form's error list. */
export function formProblems(error: z.ZodError): { field: string; message: string }[] {
  const seen = new Set<string>();
  const problems: { field: string; message: string }[] = [];
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (seen.has(field)) continue;
    seen.add(field);
    const labelKey = `label.${field}`;
    const label = isMessageKey(labelKey) ? formatMessage(labelKey) : formatMessage('label.form');
    problems.push({ field, message: formatMessage('field.problem', { label, problem: issue.message }) });
  }
  return problems;
}
