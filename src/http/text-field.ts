/**
 * A bounded text field, for forms and the JSON API alike: a single string (repeated form
 * fields arrive as arrays and fail), at most `max` characters, no NUL bytes, refused before
 * any domain work. Its issues carry a problem code as their message (`required`, `repeated`,
 * `too_long`, `nul_byte`), rendered in the request's language with the field's label
 * (`field.<code>` in the catalog) by forms.ts and the error handler.
 */
import { z } from 'zod';

export const FIELD_PROBLEMS = ['required', 'repeated', 'too_long', 'nul_byte', 'invalid'] as const;
export type FieldProblemCode = (typeof FIELD_PROBLEMS)[number];

export function isFieldProblemCode(value: string): value is FieldProblemCode {
  return (FIELD_PROBLEMS as readonly string[]).includes(value);
}

export const textField = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'required' : 'repeated') })
    .max(max, 'too_long')
    .refine((value) => !value.includes('\u0000'), 'nul_byte');
