/**
 * JSON API schemas (zod): they validate requests, serialise responses (only the fields
 * written here leave the server) and are the source of the OpenAPI document.
 *
 * Limits: the document states the real rules (`minLength`, `maxLength`, `format` through
 * `.meta`), the ones the domain decides after NFKC normalisation: username 3–50 code points,
 * email at most 254, password at most 256 (and at least PASSWORD_MIN_LENGTH, filled in per
 * server by openapi.ts). The validators themselves accept a little more as sent (200, 320,
 * 4096 UTF-16 units): NFKC can shorten a string (a decomposed `é` is two code points before
 * and one after), so a hard bound on the raw text would refuse valid input, and within the
 * slack the domain answers with its own precise problem (`username_too_long`,
 * `password_too_long`) rather than a generic "too long". A client that keeps to the
 * documented limits is never refused for length.
 *
 * Components: schemas given an `id` (`Error`, `User`) become `components/schemas` entries
 * referenced by `$ref` wherever they are used (fastify-type-provider-zod's registry support).
 */
import { z } from 'zod';
import { ERROR_CODES } from '../../domain/errors.ts';
import { EMAIL_MAX_LENGTH, MAX_USER_ID, ROLES, USERNAME_MAX_LENGTH, USERNAME_MIN_LENGTH, type User } from '../../domain/users/user.ts';
import { textField } from '../text-field.ts';

/** The policy's upper bound (config.passwords.maxLength is this constant). */
export const PASSWORD_MAX_LENGTH = 256;

const NFKC = 'counted in Unicode code points after NFKC normalisation';

const newUsername = textField(200).meta({
  minLength: USERNAME_MIN_LENGTH,
  maxLength: USERNAME_MAX_LENGTH,
  description: `${USERNAME_MIN_LENGTH} to ${USERNAME_MAX_LENGTH} characters (${NFKC} and trimming): letters, digits, \`.\`, \`_\` and \`-\`, starting and ending with a letter or digit. Compared without case or width: \`Alice\` and \`ａｌｉｃｅ\` are one name.`,
  examples: ['alice'],
});
const newEmail = textField(320).meta({
  format: 'email',
  maxLength: EMAIL_MAX_LENGTH,
  description: `An email address of at most ${EMAIL_MAX_LENGTH} characters (after NFKC and trimming), compared without case.`,
  examples: ['alice@example.com'],
});
const newPassword = textField(4096).meta({
  maxLength: PASSWORD_MAX_LENGTH,
  description: `The password policy: PASSWORD_MIN_LENGTH (12 by default) to ${PASSWORD_MAX_LENGTH} characters, ${NFKC}; never truncated. Common, repetitive or sequential passwords, ones containing the username or email, and ones too easy to guess are refused, each with its own problem code.`,
  examples: ['correct horse battery staple'],
});

export const registerBody = z
  .object({ username: newUsername, email: newEmail, password: newPassword })
  .strict()
  .meta({ description: 'A new account. Unknown fields are refused.' });

export const loginBody = z
  .object({
    username: textField(320).meta({
      maxLength: EMAIL_MAX_LENGTH,
      description: 'The username or the email address of the account.',
      examples: ['alice'],
    }),
    password: textField(4096).meta({ maxLength: PASSWORD_MAX_LENGTH, description: `The password (${NFKC}).`, examples: ['correct horse battery staple'] }),
  })
  .strict()
  .meta({ description: 'Credentials. Unknown fields are refused.' });

export const userJson = z
  .object({
    id: z.number().int().min(1).max(MAX_USER_ID).describe('The numeric account id.'),
    username: z.string().describe('The username as registered (NFKC, trimmed).'),
    email: z.string().meta({ format: 'email', description: 'The email address (NFKC, trimmed).' }),
    role: z.enum(ROLES).describe('`admin` may open the admin pages and anyone’s profile.'),
    createdAt: z.string().meta({ format: 'date-time', description: 'When the account was created (ISO 8601, UTC).' }),
    mustChangePassword: z.boolean().describe('True when the password no longer passes the policy: change it at /settings/password before anything else.'),
    emailVerified: z.boolean().describe('True once the address was confirmed by the link mailed to it (`POST /api/v1/verify-email`).'),
  })
  .meta({ id: 'User', description: 'An account, without its password or hash.' });

const problemJson = z
  .object({
    field: z.string().describe('The request field the problem is about, e.g. `username`.'),
    code: z
      .string()
      .describe(
        'Stable problem code: `required`, `repeated`, `too_long`, `nul_byte`, `invalid`, `unknown_field` for the shape of a field; `username_too_short`, `username_too_long`, `username_bad_characters`, `email_invalid`, `password_too_short`, `password_too_long`, `password_common`, `password_contains_username`, `password_contains_email`, `password_repetitive`, `password_sequential`, `password_missing_classes`, `password_too_weak` for the rules.',
      ),
    message: z.string().describe('The problem in words, in the request’s language.'),
  })
  .meta({ description: 'One problem with one field.' });

export const errorJson = z
  .object({
    error: z.enum(ERROR_CODES).describe('Stable error code: the same in every language; branch on this, not on `message`.'),
    message: z.string().describe('What went wrong, for a person, in the request’s language (`?lang=`, else `Accept-Language`).'),
    problems: z.array(problemJson).optional().describe('For `invalid_input`: every problem at once, each with its field.'),
    field: z.string().optional().describe('For `conflict`: the field whose value is taken (`username` or `email`).'),
  })
  .meta({ id: 'Error', description: 'Every failure of the API has this shape.' });

export const csrfJson = z.object({
  csrfToken: z.string().describe('Send it as the `X-CSRF-Token` header on every state-changing call made with this session cookie.'),
});
export const meJson = z.object({ user: userJson });
/**
 * What a registration answers (issue #10): only what was sent, canonical, and what happens
 * next. An email already in use gets this same answer (its owner is mailed instead), so it
 * carries no user id and nothing else a new account alone would have.
 */
export const registeredJson = z
  .object({
    username: z.string().describe('The username as it will be registered (NFKC, trimmed).'),
    email: z.string().meta({ format: 'email', description: 'The address the confirmation link goes to (NFKC, trimmed).' }),
    message: z.string().describe('What happens next, in the request’s language: a link to confirm the address was mailed; then sign in with `POST /api/v1/login`.'),
  })
  .meta({ id: 'Registration', description: 'A registration, as answered whether or not the address already had an account.' });
export const loginJson = z.object({
  user: userJson,
  csrfToken: z.string().describe('The new session’s CSRF token: the one from before sign-in no longer works.'),
});

export const secondFactorJson = z.object({
  secondFactorRequired: z.literal(true).describe('The sign-in waits for a second factor; no session was started.'),
  methods: z.array(z.enum(['totp', 'recovery_code', 'passkey'])).describe('What the second step accepts.'),
});

export type ErrorJson = z.infer<typeof errorJson>;

export function toUserJson(user: User) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    mustChangePassword: user.mustChangePassword,
    emailVerified: user.emailVerifiedAt !== null,
  };
}
