/**
 * English sentences of one area (operator-cli), spread into en.ts: kept apart so the area's pages
 * and commands can grow without every change touching the one large catalog. Same rules as
 * en.ts (ICU messages, whole sentences, keys `<kind>.<code>`).
 */
export const operatorCliEn = {
} as const;
