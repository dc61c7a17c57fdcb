/**
 * A bounded text field, for forms and the JSON API alike: a single string (repeated form
 * fields arrive as arrays and fail), at most `max` characters, no NUL bytes, refused before
 * any domain work.
 */
import { z } from 'zod';

export const textField = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be given once, as text') })
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !value.includes('\u0000'), 'must not contain NUL bytes');
