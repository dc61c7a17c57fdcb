/**
 * English sentences of OpenID Connect administration (issue #13): the admin console's
 * "Applications (OIDC)" page, the admin API's refusals, the `oidc-client` and `oidc-keys`
 * commands, and the activity names of the client and key events. Spread into en.ts.
 */
export const oidcAdminEn = {
  'activity.event.oidc.client_added': 'Application registered for single sign-on',
  'activity.event.oidc.client_removed': 'Application removed from single sign-on',
  'activity.event.oidc.keys_rotated': 'Single sign-on signing keys rotated',
  'cli.summary.oidc-client': 'register, list or remove the applications that sign in with Gatehouse (OpenID Connect)',
  'cli.summary.oidc-keys': 'rotate the OpenID Connect signing keys (the previous ones stay published for 7 days)',
  'cli.oidc_client.header': 'client id  name  type  first-party  alg  redirect URIs',
  'cli.oidc_client.kind_public': 'public',
  'cli.oidc_client.kind_confidential': 'confidential',
  'cli.oidc_client.empty': 'no application is registered',
  'cli.oidc_client.added': 'registered "{name}"',
  'cli.oidc_client.client_id': 'client id:     {id}',
  'cli.oidc_client.client_secret': 'client secret: {secret}',
  'cli.oidc_client.secret_once': 'copy the secret into the application now: it is not shown again (remove the client and add it again for a new one)',
  'cli.oidc_client.public_note': 'public client: no secret; it must use PKCE',
  'cli.oidc_client.removed': 'removed "{name}" ({id}) and every grant and token issued to it',
  'cli.oidc_client.unknown': 'no application with client id "{id}"',
  'cli.oidc_client.invalid_name': '--name is required: 1 to 100 characters',
  'cli.oidc_client.no_redirect_uri': 'at least one --redirect-uri is required',
  'cli.oidc_client.too_many_uris': 'at most 10 redirect URIs of each kind',
  'cli.oidc_client.invalid_redirect_uri': '--redirect-uri "{value}" is not allowed: use an absolute https:// URI (http:// only for 127.0.0.1, [::1] or localhost), without a fragment (#) or wildcard (*)',
  'cli.oidc_client.invalid_post_logout_redirect_uri': '--post-logout-redirect-uri "{value}" is not allowed: use an absolute https:// URI (http:// only for 127.0.0.1, [::1] or localhost), without a fragment (#) or wildcard (*)',
  'cli.oidc_client.invalid_alg': '--alg "{value}" is not offered: use ES256 (the default) or RS256',
  'cli.oidc_keys.rotated': 'new signing keys {kids} are in use; the previous ones stay published for {days} days so tokens they signed still verify',
} as const;
