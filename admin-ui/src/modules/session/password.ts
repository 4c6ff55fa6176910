/** What is wrong with a new password before it is sent, in words a person can act on; null when nothing. */
export function passwordProblem(current: string, next: string, repeat: string): string | null {
  if ([...next].length < 8) return 'The new password needs at least 8 characters.';
  if ([...next].length > 1024) return 'The new password may have at most 1024 characters.';
  if (next !== repeat) return 'The two new passwords differ. Type the same password twice.';
  if (next === current) return 'The new password must differ from the current one.';
  return null;
}
