/** The roles of the admin side, from most to least powerful. */
export const ROLES = ['admin', 'supervisor', 'counsellor'] as const;

/** admin: everything; supervisor: reads and approves; counsellor: their own cases. */
export type Role = (typeof ROLES)[number];
