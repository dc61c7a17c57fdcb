/**
 * Spanish sentences of OpenID Connect administration (issue #13): see oidc-admin.en.ts.
 * Spread into es.ts.
 */
export const oidcAdminEs = {
  'activity.event.oidc.client_added': 'Aplicación registrada para el inicio de sesión único',
  'activity.event.oidc.client_removed': 'Aplicación retirada del inicio de sesión único',
  'activity.event.oidc.keys_rotated': 'Claves de firma del inicio de sesión único renovadas',
} as const;
