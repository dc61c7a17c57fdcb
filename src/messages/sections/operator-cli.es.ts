/** Las frases en español de un área (operator-cli), con las mismas claves que operator-cli.en.ts (el tipo lo exige). */
import type { operatorCliEn } from './operator-cli.en.ts';

export const operatorCliEs = {
  'cli.version': 'gatehouse {version}',
  'cli.summary.list-users':
    'lista las cuentas, de la más antigua a la más nueva: id, usuario, correo, rol, verificada, desactivada, creada. --query busca por el comienzo del usuario o del correo; --limit (de 1 a 1000, 100 por omisión); --json imprime en lugar de la tabla un único array JSON de objetos con id, username, email, role, emailVerified, disabled, createdAt',
  'cli.summary.delete-user':
    'borra una cuenta: se van sus sesiones, tokens, correo en cola y datos personales; el registro de auditoría guarda una constancia seudónima (el id numérico). Pregunta en una terminal; si no, exige --yes',
  'cli.summary.send-reset': 'envía al usuario un enlace para restablecer la contraseña (a la dirección de la cuenta)',
  'cli.summary.unblock': 'levanta el límite de intentos de inicio de sesión del usuario (todos los contadores de fallos y bloqueos de la cuenta)',
  'cli.summary.audit-verify': 'recorre el registro de auditoría a prueba de manipulaciones e informa del primer eslabón roto; sale con 1 si hay alguno',
  'cli.last_admin': '{username} es el último administrador activo: asciende o activa antes a otro administrador',
  'cli.list_users.header': 'id  usuario  correo  rol  verificada  desactivada  creada',
  'cli.list_users.empty': 'ninguna cuenta coincide',
  'cli.list_users.yes': 'sí',
  'cli.list_users.no': 'no',
  'cli.list_users.more': 'coinciden más cuentas: sube --limit o afina --query',
  'cli.list_users.bad_role': 'rol desconocido «{role}» en --role (roles: {roles})',
  'cli.list_users.bad_limit': '--limit debe ser un número entero de 1 a {max}, no «{limit}»',
  'cli.delete_user.needs_yes': 'no se borra {username} sin confirmación: la entrada estándar no es una terminal, así que añade --yes',
  'cli.delete_user.confirm': '¿Borrar {username} y todo lo suyo? No se puede deshacer. Escribe el nombre de usuario para confirmar: ',
  'cli.delete_user.not_confirmed': 'sin confirmar: {username} no se ha borrado',
  'cli.delete_user.deleted': '{username} borrado (id {id}); el registro de auditoría solo guarda el id',
  'cli.send_reset.sent': 'enlace para restablecer la contraseña enviado a {username}',
  'cli.send_reset.queued': 'enlace para restablecer la contraseña de {username} en cola: {reason}; un servidor en marcha lo reintentará',
  'cli.send_reset.queued_plain': 'enlace para restablecer la contraseña de {username} en cola; un servidor en marcha lo enviará',
  'cli.unblock.done': 'se levantó el límite de inicios de sesión de {username}',
  'cli.audit_verify.intact': 'registro de auditoría íntegro: {count, plural, one {# evento comprobado} other {# eventos comprobados}}',
  'cli.audit_verify.broken':
    'registro de auditoría roto en el evento id {id} (seq {seq}): {problem}; {checked, plural, one {# evento anterior verificado} other {# eventos anteriores verificados}}',
  'cli.audit_verify.mac_mismatch': 'su contenido o su lugar en la cadena no coincide con su MAC (editado, intercambiado o movido)',
  'cli.audit_verify.missing_row': 'falta el evento anterior (su seq salta: se borró una fila)',
  'cli.audit_verify.bad_anchor': 'registro de auditoría roto: el ancla de retención (seq {seq}) se alteró sin la clave',
  'cli.audit_verify.missing_tail':
    'registro de auditoría roto: faltan los eventos más recientes, desde la seq {seq} (la cabeza de la cadena dice que se escribieron más); {checked, plural, one {# evento anterior verificado} other {# eventos anteriores verificados}}',
} satisfies Record<keyof typeof operatorCliEn, string>;
