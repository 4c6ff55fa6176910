import type { Role } from '../../api';

/** The roles, as the users page names and explains them. */
export const ROLES: { role: Role; label: string; help: string }[] = [
  { role: 'EDITOR', label: 'Editor', help: 'creates and edits content in its brands; submits for review' },
  { role: 'REVIEWER', label: 'Reviewer', help: 'approves, rejects and publishes in its brands' },
  { role: 'AUDITOR', label: 'Auditor', help: 'reads everything, edits nothing; exports reports' },
  { role: 'ADMIN', label: 'Admin', help: 'everything, in every brand, including users and keys' },
];
