/**
 * English sentences of OpenID Connect administration (issue #13): the admin console's
 * "Applications (OIDC)" page, the admin API's refusals, the `oidc-client` and `oidc-keys`
 * commands, and the activity names of the client and key events. Spread into en.ts.
 */
export const oidcAdminEn = {
  'activity.event.oidc.client_added': 'Application registered for single sign-on',
  'activity.event.oidc.client_removed': 'Application removed from single sign-on',
  'activity.event.oidc.keys_rotated': 'Single sign-on signing keys rotated',
} as const;
