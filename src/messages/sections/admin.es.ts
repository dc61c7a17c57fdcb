/** Las frases en español de un área (admin), con las mismas claves que admin.en.ts (el tipo lo exige). */
import type { adminEn } from './admin.en.ts';

export const adminEs = {
} satisfies Record<keyof typeof adminEn, string>;
