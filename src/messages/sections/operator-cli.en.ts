/**
 * English sentences of one area (operator-cli), spread into en.ts: kept apart so the area's pages
 * and commands can grow without every change touching the one large catalog. Same rules as
 * en.ts (ICU messages, whole sentences, keys `<kind>.<code>`).
 */
export const operatorCliEn = {
  'cli.version': 'gatehouse {version}',
  'cli.summary.list-users':
    'list accounts, oldest first: id, username, email, role, verified, disabled, created. --query matches the start of the username or email; --limit (1 to 1000, default 100); --json prints one JSON array instead of the table, of objects with id, username, email, role, emailVerified, disabled, createdAt',
  'cli.summary.delete-user':
    'delete an account: its sessions, tokens, queued mail and personal data go; the audit log keeps a pseudonymous record (the numeric id). Asks on a terminal; otherwise needs --yes',
  'cli.summary.send-reset': 'mail the user a password reset link (to the address on the account)',
  'cli.summary.unblock': "clear the user's sign-in throttle (every failed-attempt counter and block of the account)",
  'cli.summary.audit-verify': 'walk the tamper-evident audit log and report the first broken link; exit 1 if any',
  'cli.last_admin': '{username} is the last active admin: promote or enable another admin first',
  'cli.list_users.header': 'id  username  email  role  verified  disabled  created',
  'cli.list_users.empty': 'no account matches',
  'cli.list_users.yes': 'yes',
  'cli.list_users.no': 'no',
  'cli.list_users.more': 'more accounts match: raise --limit or narrow --query',
  'cli.list_users.bad_role': 'unknown role "{role}" for --role (roles: {roles})',
  'cli.list_users.bad_limit': '--limit must be a whole number from 1 to {max}, not "{limit}"',
  'cli.delete_user.needs_yes': 'refusing to delete {username} without confirmation: stdin is not a terminal, so pass --yes',
  'cli.delete_user.confirm': 'Delete {username} and everything of theirs? This cannot be undone. Type the username to confirm: ',
  'cli.delete_user.not_confirmed': 'not confirmed: {username} was not deleted',
  'cli.delete_user.deleted': 'deleted {username} (id {id}); the audit log keeps only the id',
  'cli.send_reset.sent': 'mailed a password reset link to {username}',
  'cli.send_reset.queued': 'queued a password reset link for {username}: {reason}; a running server retries it',
  'cli.send_reset.queued_plain': 'queued a password reset link for {username}; a running server sends it',
  'cli.unblock.done': "cleared {username}'s sign-in throttle",
  'cli.audit_verify.intact': 'audit log intact: {count, plural, one {# event} other {# events}} checked',
  'cli.audit_verify.broken': 'audit log broken at event id {id} (seq {seq}): {problem}; {checked, plural, one {# event} other {# events}} before it verified',
  'cli.audit_verify.mac_mismatch': 'its content or its place in the chain does not match its MAC (edited, swapped or moved)',
  'cli.audit_verify.missing_row': 'the event before it is missing (its seq skips: a row was deleted)',
  'cli.audit_verify.bad_anchor': 'audit log broken: the retention anchor (seq {seq}) was altered without the key',
  'cli.audit_verify.missing_tail':
    'audit log broken: the newest events, from seq {seq} on, are missing (the chain head says more were written); {checked, plural, one {# event} other {# events}} before them verified',
} as const;
