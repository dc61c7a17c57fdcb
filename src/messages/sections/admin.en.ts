/**
 * English sentences of one area (admin), spread into en.ts: kept apart so the area's pages
 * and commands can grow without every change touching the one large catalog. Same rules as
 * en.ts (ICU messages, whole sentences, keys `<kind>.<code>`).
 */
export const adminEn = {
  'admin.error.bad_cursor': 'This page link is not valid (it may be from another search or sort). Start again from the first page.',
} as const;
