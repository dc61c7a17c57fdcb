/**
 * English sentences of forward-auth (issue #13): the configuration problems of
 * FORWARD_AUTH_DOMAINS and FORWARD_AUTH_COOKIE_DOMAIN, the bodies of the verify endpoints'
 * refusals, and the page a browser sees when a signed-in visitor is refused (Traefik and Caddy
 * pass it on; nginx shows its own 403 page).
 * Spread into en.ts.
 */
export const forwardAuthEn = {
  'config.forward_auth_hostname': '“{value}” is not a bare hostname (no scheme, port, path or wildcard; IDNs in their xn-- form)',
  'config.forward_auth_cookie_domain': 'must be the host of BASE_URL ({host}) or a parent domain of it',
  'activity.event.forward_auth.denied': 'An application behind the sign-in proxy refused access',
  'forward_auth.untrusted_peer': 'This address answers only the reverse proxy (a TRUST_PROXY address).',
  'forward_auth.target_refused': 'This address is not protected by this sign-in service.',
  'forward_auth.rules_invalid': 'The proxy’s access rules for this address are not valid.',
  'forward_auth.unauthenticated': 'Please sign in to continue.',
  'forward_auth.group_required': 'Your account does not have access to this application.',
  'forward_auth.second_factor_required': 'This application needs a sign-in with a second factor. Sign out, then sign in again with your code or a passkey.',
  'forward_auth.password_change_required': 'Your password must be changed before this application opens. Sign in to Gatehouse to change it.',
  'forward_auth.reauthentication_required': 'This application needs a recent sign-in: confirm your password at Gatehouse to continue.',
  'forward_auth.page.title': 'Access refused',
  'forward_auth.page.signed_in_as': 'You are signed in to Gatehouse as {username}.',
  'forward_auth.page.confirm_password': 'Confirm your password and continue',
  'forward_auth.page.two_factor': 'Two-factor sign-in settings',
  'forward_auth.page.change_password': 'Change your password',
  'forward_auth.page.open_gatehouse': 'Open Gatehouse',
} as const;
