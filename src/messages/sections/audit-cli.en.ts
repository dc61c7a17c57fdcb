/**
 * English sentences of `gatehouse audit` (src/cli/commands/audit.ts, src/cli/audit): usage
 * errors, the table's headings and results, skip reasons and the clean-up report. Evidence is
 * technical notation (methods, paths, statuses) and is printed as it is.
 */
export const auditCliEn = {
  'cli.summary.audit':
    'run the built-in attack probes (SQL injection, XSS, IDOR, CSRF, sessions, cookies, headers, enumeration, brute force, open redirects, bad bodies, tokens) against a running Gatehouse over HTTP; registers and then removes throwaway accounts (or --user NAME, password on stdin); a table of results, exit 1 on any failure. --only FAMILY: one family; --json: one JSON object. Run it only against a deployment you operate or may test',
  'cli.audit.bad_url': '{url} is not an http or https base URL (e.g. https://auth.example.com)',
  'cli.audit.bad_family': '--only takes one of: {families}',
  'cli.audit.bad_max': '--login-max-failures must be a whole number from 1 to 1000',
  'cli.audit.bad_wait': '--cleanup-wait must be a whole number of seconds from 0 to 3600',
  'cli.audit.waiting': 'clean-up: waiting {seconds} s for the sign-in lock on {username} (caused by this audit) to expire, to delete it',
  'cli.audit.unreachable': 'cannot reach {url}: {reason}',
  'cli.audit.user_sign_in_failed': '{user} cannot sign in with the password given on stdin (or needs a second factor)',
  'cli.audit.progress': 'auditing: {done}/{total} {id}',
  'cli.audit.header.probe': 'probe',
  'cli.audit.header.result': 'result',
  'cli.audit.header.evidence': 'evidence',
  'cli.audit.result.pass': 'pass',
  'cli.audit.result.fail': 'FAIL',
  'cli.audit.result.skip': 'skip',
  'cli.audit.summary': '{pass} passed, {fail} failed, {skip} skipped of {total} probes',
  'cli.audit.cleanup.deleted': 'clean-up: {deleted} of {total} accounts the audit registered were deleted; any other was never able to sign in (a registration with a taken address creates nothing) or is listed below',
  'cli.audit.cleanup.password_changed': 'clean-up: {username} could not be deleted; its password was changed to a random one nobody knows, so it cannot sign in — delete it with `gatehouse delete-user {username}`',
  'cli.audit.cleanup.locked': 'clean-up: {username} is locked by the audit\'s own brute-force or second-factor probe, so it cannot be deleted now; its random password was never shown and is forgotten with this run, so nobody can sign in — remove it with `gatehouse delete-user {username}`',
  'cli.audit.cleanup.left': 'clean-up FAILED: the audit account {username} may still sign in; delete it now with `gatehouse delete-user {username}`',
  'cli.audit.probe_error': 'the probe could not finish: {reason}',
  'cli.audit.skip.needs_primary': 'needs a signed-in account: registration refused one and no --user was given',
  'cli.audit.skip.needs_second': 'needs a second throwaway account, and registration refused one (closed?)',
  'cli.audit.skip.needs_target': 'needs a throwaway account it may lock out, and registration refused one (closed?); it never locks out --user',
  'cli.audit.skip.no_second_account': 'needs a second throwaway account',
  'cli.audit.skip.registration_closed': 'registration is closed: nothing to register',
  'cli.audit.skip.admin': 'the --user account is an admin, who may open every profile: give a normal user',
  'cli.audit.skip.not_https': 'the base URL is http: HSTS applies to https only',
  'cli.audit.skip.no_route': '{route} answers 404 here',
  'cli.audit.skip.register_allowance': 'registration answered 429 (the per-IP allowance an hour is used up): the timings would measure the throttle',
  'cli.audit.skip.forgot_throttled': 'forgot-password answered 429 (reset mails an address an hour used up): the timings would measure the throttle',
  'cli.audit.skip.needs_admin': 'needs an admin: run with --user and an admin account to check the admin pages',
  'cli.audit.skip.needs_mailbox': 'a reused reset token needs the mailed link: give --mailbox DIR, a folder of .eml files the mail lands in (Gatehouse writes DATA_DIR/outbox/ when SMTP_URL is unset)',
  'cli.audit.skip.no_mail': 'no reset link to {address} arrived in {dir} within 10 s: is that where this deployment\'s mail lands?',
  'cli.audit.skip.no_session_cookie': 'sign-in set no {name} cookie',
  'cli.audit.skip.no_totp_enrolment': 'a second factor could not be enrolled (GET/POST /settings/two-factor → {status})',
};
