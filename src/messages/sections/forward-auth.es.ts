/** Las frases en español de forward-auth (issue #13), con las claves de forward-auth.en.ts. */
import type { forwardAuthEn } from './forward-auth.en.ts';

export const forwardAuthEs = {
  'config.forward_auth_hostname': '«{value}» no es un nombre de host sin más (sin esquema, puerto, ruta ni comodín; los IDN en su forma xn--)',
  'config.forward_auth_cookie_domain': 'debe ser el host de BASE_URL ({host}) o un dominio padre suyo',
  'activity.event.forward_auth.denied': 'Una aplicación detrás del proxy de inicio de sesión denegó el acceso',
  'forward_auth.untrusted_peer': 'Esta dirección solo responde al proxy inverso (una dirección de TRUST_PROXY).',
  'forward_auth.target_refused': 'Este servicio de inicio de sesión no protege esta dirección.',
  'forward_auth.rules_invalid': 'Las reglas de acceso del proxy para esta dirección no son válidas.',
  'forward_auth.unauthenticated': 'Inicia sesión para continuar.',
  'forward_auth.group_required': 'Tu cuenta no tiene acceso a esta aplicación.',
  'forward_auth.second_factor_required': 'Esta aplicación necesita un inicio de sesión con segundo factor. Cierra la sesión y vuelve a iniciarla con tu código o una llave de acceso.',
  'forward_auth.password_change_required': 'Debes cambiar tu contraseña antes de que se abra esta aplicación. Inicia sesión en Gatehouse para cambiarla.',
  'forward_auth.reauthentication_required': 'Esta aplicación necesita un inicio de sesión reciente: confirma tu contraseña en Gatehouse para continuar.',
  'forward_auth.page.title': 'Acceso denegado',
  'forward_auth.page.signed_in_as': 'Has iniciado sesión en Gatehouse como {username}.',
  'forward_auth.page.confirm_password': 'Confirma tu contraseña y continúa',
  'forward_auth.page.two_factor': 'Ajustes de la verificación en dos pasos',
  'forward_auth.page.change_password': 'Cambia tu contraseña',
  'forward_auth.page.open_gatehouse': 'Abrir Gatehouse',
} satisfies Record<keyof typeof forwardAuthEn, string>;
