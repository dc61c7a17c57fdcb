/** Las frases en español de un área (operator-cli), con las mismas claves que operator-cli.en.ts (el tipo lo exige). */
import type { operatorCliEn } from './operator-cli.en.ts';

export const operatorCliEs = {
} satisfies Record<keyof typeof operatorCliEn, string>;
