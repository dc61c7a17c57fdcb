/** Las frases en español de un área (admin), con las mismas claves que admin.en.ts (el tipo lo exige). */
import type { adminEn } from './admin.en.ts';

export const adminEs = {
  'admin.error.bad_cursor': 'Este enlace de página no es válido (puede ser de otra búsqueda u otro orden). Vuelve a empezar desde la primera página.',
} satisfies Record<keyof typeof adminEn, string>;
