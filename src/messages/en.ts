/**
 * The English catalog: every sentence a person reads that the domain or the HTTP layer
 * produces by code, as ICU messages (intl-messageformat: plurals and variables, never
 * sentences glued from pieces). Keys are `<kind>.<code>`; the domain returns the codes and
 * their parameters, `catalog.ts` renders them at the edge. A new code without its sentence
 * here fails the type-check wherever it is rendered. (Page text and the Spanish catalog
 * arrive with the languages issue, #9.)
 */
const PASSPHRASE_ADVICE = 'A phrase of four or more unrelated words is long, easy to remember and hard to guess.';

export const en = {
  // Errors: `error.<ErrorCode>` (domain/errors.ts); the API sends the code beside the sentence.
  'error.invalid_input': 'The request is not valid.',
  'error.invalid_credentials': 'Invalid username or password.',
  'error.unauthenticated': 'Please sign in to continue.',
  'error.forbidden': 'You do not have access to this page.',
  'error.csrf_failed': 'The form expired or came from another site. Please reload the page and try again.',
  'error.not_found': 'Not found.',
  'error.method_not_allowed': 'This address does not accept that kind of request.',
  'error.conflict': 'That username or email is already registered.',
  'error.registration_closed': 'Registration is closed.',
  'error.payload_too_large': 'The request is too large.',
  'error.unsupported_media_type': 'Unsupported content type.',
  'error.too_many_requests': 'Too many attempts. Please wait {wait} and try again.',
  'error.service_unavailable': 'The service is temporarily unavailable. Please try again in {wait}.',
  'error.internal_error': 'Something went wrong on our side.',
  'error.request_timeout': 'The request took too long to arrive.',

  // More precise sentences for some errors.
  'detail.conflict_username': 'That username is taken.',
  'detail.conflict_email': 'That email address is already registered.',
  'detail.wrong_current_password': 'The current password is not correct.',
  'detail.invalid_message_parameter': 'The message parameter is not valid.',
  'detail.invalid_id_parameter': 'The id parameter must be a positive whole number.',
  'detail.invalid_body': 'Invalid request body: {reason}',
  'detail.invalid_field': 'Invalid value for {field}: {reason}.',

  // Bounded text fields (http/text-field.ts): `field.<problem>` with the field's label.
  'field.required': '{label} is required.',
  'field.repeated': '{label} must be given once, as text.',
  'field.too_long': '{label} must be at most {max, number} characters.',
  'field.nul_byte': '{label} must not contain NUL bytes.',
  'field.invalid': '{label} is not valid.',
  'label.username': 'Username',
  'label.email': 'Email',
  'label.password': 'Password',
  'label.current_password': 'Current password',
  'label.new_password': 'New password',
  'label.next': 'The return address',
  'label.form': 'The form',

  // Registration problems (domain/users/user-service.ts).
  'problem.username_too_short': 'Username must be {min} to {max} characters long.',
  'problem.username_too_long': 'Username must be {min} to {max} characters long.',
  'problem.username_bad_characters':
    'Username may contain letters, digits, dots, dashes and underscores, and must start and end with a letter or digit.',
  'problem.email_invalid': 'Enter a valid email address.',
  'problem.password_unchanged': 'Choose a password different from the current one.',

  // Password policy (domain/passwords/policy.ts).
  'problem.password_too_short': `This password has {length, plural, one {# character} other {# characters}}; it needs at least {minLength}. ${PASSPHRASE_ADVICE}`,
  'problem.password_too_long': 'This password is longer than {maxLength} characters. Use at most {maxLength}; a phrase of a few words fits easily.',
  'problem.password_common': `This password is on a list of commonly used passwords, which attackers try first. Choose something nobody else would pick. ${PASSPHRASE_ADVICE}`,
  'problem.password_contains_username':
    'This password contains your username, which attackers try first. Leave it out, and avoid other details about you.',
  'problem.password_contains_email':
    'This password contains the name part of your email address, which attackers try first. Leave it out, and avoid other details about you.',
  'problem.password_repetitive': `This password is one character or a short group repeated (like "aaaa" or "abab"), which is guessed in seconds. ${PASSPHRASE_ADVICE}`,
  'problem.password_sequential': `This password is a sequence (like "abcd", "4321" or the keyboard row "qwerty"), which is guessed in seconds. ${PASSPHRASE_ADVICE}`,
  'problem.password_missing_classes':
    'This password has no {missing}, which this site requires. Add {count, plural, one {it} other {them}} inside a longer phrase rather than only at the end.',
  'problem.password_too_weak':
    'This password would be too easy to guess (strength {score} of 4; at least {minScore} is needed).{hint} Make it longer with more unrelated words, or let a password manager generate one.',
  'class.uppercase letter': 'uppercase letter',
  'class.lowercase letter': 'lowercase letter',
  'class.digit': 'digit',
  'class.symbol': 'symbol',
  // zxcvbn-ts warnings (domain/passwords/strength.ts).
  'hint.straightRow': 'Straight rows of keys are easy to guess.',
  'hint.keyPattern': 'Short keyboard patterns are easy to guess.',
  'hint.simpleRepeat': 'Repeated characters such as "aaa" are easy to guess.',
  'hint.extendedRepeat': 'Repeated groups such as "abcabcabc" are easy to guess.',
  'hint.sequences': 'Sequences such as "abc" or "6543" are easy to guess.',
  'hint.recentYears': 'Recent years are easy to guess.',
  'hint.dates': 'Dates are easy to guess.',
  'hint.topTen': 'It is one of the most used passwords.',
  'hint.topHundred': 'It is one of the most used passwords.',
  'hint.common': 'It is a commonly used password.',
  'hint.similarToCommon': 'It closely resembles a commonly used password.',
  'hint.wordByItself': 'A single word is easy to guess.',
  'hint.namesByThemselves': 'Names on their own are easy to guess.',
  'hint.commonNames': 'Common names are easy to guess.',
  'hint.userInputs': 'It contains your username or email address.',
  'meter.good': 'Good: strength {score} of 4. It is checked again when you submit.',
  'meter.more': '{problem} ({count, plural, one {# more} other {# more}} to fix)',

  // One-shot notices after a redirect (http/pages/page-tools.ts).
  'flash.registered': 'Your account was created. Please sign in.',
  'flash.signed-out': 'You have been signed out.',
  'flash.password-changed': 'Your password was changed. Your other sessions were signed out.',
} as const;

export type MessageKey = keyof typeof en;
