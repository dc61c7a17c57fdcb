/**
 * Spanish sentences of OpenID Connect administration (issue #13): see oidc-admin.en.ts.
 * Spread into es.ts.
 */
export const oidcAdminEs = {
  'activity.event.oidc.client_added': 'Aplicación registrada para el inicio de sesión único',
  'activity.event.oidc.client_removed': 'Aplicación retirada del inicio de sesión único',
  'activity.event.oidc.keys_rotated': 'Claves de firma del inicio de sesión único renovadas',
  'cli.summary.oidc-client': 'registrar, listar o retirar las aplicaciones que inician sesión con Gatehouse (OpenID Connect)',
  'cli.summary.oidc-keys': 'renovar las claves de firma de OpenID Connect (las anteriores siguen publicadas 7 días)',
  'cli.oidc_client.header': 'id de cliente  nombre  tipo  propia  alg  URI de redirección',
  'cli.oidc_client.kind_public': 'pública',
  'cli.oidc_client.kind_confidential': 'confidencial',
  'cli.oidc_client.empty': 'no hay ninguna aplicación registrada',
  'cli.oidc_client.added': '«{name}» registrada',
  'cli.oidc_client.client_id': 'id de cliente:     {id}',
  'cli.oidc_client.client_secret': 'secreto de cliente: {secret}',
  'cli.oidc_client.secret_once': 'copie ahora el secreto en la aplicación: no se volverá a mostrar (para uno nuevo, retire el cliente y regístrelo otra vez)',
  'cli.oidc_client.public_note': 'cliente público: sin secreto; debe usar PKCE',
  'cli.oidc_client.removed': '«{name}» ({id}) retirada, con todas las autorizaciones y tokens que se le emitieron',
  'cli.oidc_client.unknown': 'no hay ninguna aplicación con el id de cliente «{id}»',
  'cli.oidc_client.invalid_name': 'falta --name: de 1 a 100 caracteres',
  'cli.oidc_client.no_redirect_uri': 'hace falta al menos un --redirect-uri',
  'cli.oidc_client.too_many_uris': 'como mucho 10 URI de redirección de cada tipo',
  'cli.oidc_client.invalid_redirect_uri': '--redirect-uri «{value}» no está permitido: use una URI https:// absoluta (http:// solo para 127.0.0.1, [::1] o localhost), sin fragmento (#) ni comodín (*)',
  'cli.oidc_client.invalid_post_logout_redirect_uri': '--post-logout-redirect-uri «{value}» no está permitido: use una URI https:// absoluta (http:// solo para 127.0.0.1, [::1] o localhost), sin fragmento (#) ni comodín (*)',
  'cli.oidc_client.invalid_alg': '--alg «{value}» no se ofrece: use ES256 (el predeterminado) o RS256',
  'cli.oidc_keys.rotated': 'ya se usan las nuevas claves de firma {kids}; las anteriores siguen publicadas {days} días para que los tokens que firmaron se sigan verificando',
} as const;
