/**
 * A bounded text field, for forms and the JSON API alike: a single string (repeated form
 * fields arrive as arrays and fail), at most `max` characters, no NUL bytes, refused before
 * any domain work. Its problems read from the catalog (`zod.*`); forms.ts turns them into
 * one sentence per field with the field's label.
 */
import { z } from 'zod';
import { formatMessage } from '../messages/catalog.ts';

export const textField = (max: number) =>
  z
    .string({ error: (issue) => formatMessage(issue.input === undefined ? 'zod.required' : 'zod.repeated') })
    .max(max, formatMessage('zod.too_long', { max }))
    .refine((value) => !value.includes('\u0000'), formatMessage('zod.nul_byte'));
