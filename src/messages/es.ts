/**
 * El catálogo en español: las mismas claves que en.ts (el tipo lo exige: una clave que falte
 * o sobre no compila), los mismos marcadores (catalog.test.ts lo comprueba). Mensajes ICU,
 * tuteo, frases completas; nunca piezas pegadas.
 */
import type { MessageKey } from './en.ts';

const PASSPHRASE_ADVICE = 'Una frase de cuatro o más palabras sin relación entre sí es larga, fácil de recordar y difícil de adivinar.';

export const es = {
  'error.invalid_input': 'La solicitud no es válida.',
  'error.invalid_credentials': 'Usuario o contraseña incorrectos.',
  'error.unauthenticated': 'Inicia sesión para continuar.',
  'error.forbidden': 'No tienes acceso a esta página.',
  'error.csrf_failed': 'El formulario caducó o vino de otro sitio. Recarga la página y vuelve a intentarlo.',
  'error.not_found': 'No encontrado.',
  'error.method_not_allowed': 'Esta dirección no acepta ese tipo de solicitud.',
  'error.conflict': 'Ese nombre de usuario o correo ya está registrado.',
  'error.registration_closed': 'El registro está cerrado.',
  'error.payload_too_large': 'La solicitud es demasiado grande.',
  'error.unsupported_media_type': 'Tipo de contenido no admitido.',
  'error.too_many_requests': 'Demasiados intentos. Espera {wait} y vuelve a intentarlo.',
  'error.service_unavailable': 'El servicio no está disponible en este momento. Vuelve a intentarlo dentro de {wait}.',
  'error.internal_error': 'Algo falló de nuestro lado.',
  'error.request_timeout': 'La solicitud tardó demasiado en llegar.',

  'detail.conflict_username': 'Ese nombre de usuario ya está en uso.',
  'detail.conflict_email': 'Esa dirección de correo ya está registrada.',
  'detail.wrong_current_password': 'La contraseña actual no es correcta.',
  'detail.invalid_message_parameter': 'El parámetro message no es válido.',
  'detail.invalid_id_parameter': 'El parámetro id debe ser un número entero positivo.',
  'detail.invalid_body': 'Cuerpo de la solicitud no válido: {reason}',
  'detail.invalid_field': 'Valor no válido para {field}: {reason}.',

  'field.required': 'Falta {label}.',
  'field.repeated': '{label} debe enviarse una sola vez, como texto.',
  'field.too_long': '{label} admite como mucho {max, number} caracteres.',
  'field.nul_byte': '{label} no puede contener bytes NUL.',
  'field.invalid': '{label} no es válido.',
  'label.username': 'El nombre de usuario',
  'label.email': 'El correo electrónico',
  'label.password': 'La contraseña',
  'label.current_password': 'La contraseña actual',
  'label.new_password': 'La contraseña nueva',
  'label.next': 'La dirección de regreso',
  'label.form': 'El formulario',

  'problem.username_too_short': 'El nombre de usuario debe tener entre {min} y {max} caracteres.',
  'problem.username_too_long': 'El nombre de usuario debe tener entre {min} y {max} caracteres.',
  'problem.username_bad_characters':
    'El nombre de usuario puede llevar letras, cifras, puntos, guiones y guiones bajos, y debe empezar y terminar con una letra o una cifra.',
  'problem.email_invalid': 'Escribe una dirección de correo válida.',
  'problem.password_unchanged': 'Elige una contraseña distinta de la actual.',

  'problem.password_too_short': `Esta contraseña tiene {length, plural, one {# carácter} other {# caracteres}}; necesita al menos {minLength}. ${PASSPHRASE_ADVICE}`,
  'problem.password_too_long': 'Esta contraseña tiene más de {maxLength} caracteres. Usa como mucho {maxLength}; una frase de pocas palabras cabe de sobra.',
  'problem.password_common': `Esta contraseña está en una lista de contraseñas muy usadas, las primeras que prueban los atacantes. Elige algo que nadie más elegiría. ${PASSPHRASE_ADVICE}`,
  'problem.password_contains_username':
    'Esta contraseña contiene tu nombre de usuario, lo primero que prueban los atacantes. Quítalo, y evita otros datos tuyos.',
  'problem.password_contains_email':
    'Esta contraseña contiene la parte del nombre de tu correo, lo primero que prueban los atacantes. Quítala, y evita otros datos tuyos.',
  'problem.password_repetitive': `Esta contraseña es un carácter o un grupo corto repetido (como «aaaa» o «abab»), que se adivina en segundos. ${PASSPHRASE_ADVICE}`,
  'problem.password_sequential': `Esta contraseña es una secuencia (como «abcd», «4321» o la fila del teclado «qwerty»), que se adivina en segundos. ${PASSPHRASE_ADVICE}`,
  'problem.password_missing_classes':
    'A esta contraseña le falta: {missing}, que este sitio exige. {count, plural, one {Añádelo} other {Añádelos}} dentro de una frase más larga, no solo al final.',
  'problem.password_too_weak':
    'Esta contraseña sería demasiado fácil de adivinar (fuerza {score} de 4; se necesita al menos {minScore}).{hint} Alárgala con más palabras sin relación, o deja que un gestor de contraseñas genere una.',
  'class.uppercase letter': 'letra mayúscula',
  'class.lowercase letter': 'letra minúscula',
  'class.digit': 'cifra',
  'class.symbol': 'símbolo',
  'hint.straightRow': 'Las filas seguidas del teclado son fáciles de adivinar.',
  'hint.keyPattern': 'Los patrones cortos del teclado son fáciles de adivinar.',
  'hint.simpleRepeat': 'Los caracteres repetidos como «aaa» son fáciles de adivinar.',
  'hint.extendedRepeat': 'Los grupos repetidos como «abcabcabc» son fáciles de adivinar.',
  'hint.sequences': 'Las secuencias como «abc» o «6543» son fáciles de adivinar.',
  'hint.recentYears': 'Los años recientes son fáciles de adivinar.',
  'hint.dates': 'Las fechas son fáciles de adivinar.',
  'hint.topTen': 'Es una de las contraseñas más usadas.',
  'hint.topHundred': 'Es una de las contraseñas más usadas.',
  'hint.common': 'Es una contraseña muy usada.',
  'hint.similarToCommon': 'Se parece mucho a una contraseña muy usada.',
  'hint.wordByItself': 'Una sola palabra es fácil de adivinar.',
  'hint.namesByThemselves': 'Los nombres solos son fáciles de adivinar.',
  'hint.commonNames': 'Los nombres comunes son fáciles de adivinar.',
  'hint.userInputs': 'Contiene tu nombre de usuario o tu correo.',
  'meter.good': 'Bien: fuerza {score} de 4. Se vuelve a comprobar al enviar.',
  'meter.more': '{problem} ({count, plural, one {# problema más} other {# problemas más}} por corregir)',

  'flash.registered': 'Tu cuenta se creó. Inicia sesión.',
  'flash.signed-out': 'Cerraste la sesión.',
  'flash.password-changed': 'Tu contraseña cambió. Se cerraron tus otras sesiones.',
} satisfies Record<MessageKey, string>;
