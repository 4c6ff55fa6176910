import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password';

describe('passwordProblem', () => {
  it('accepts a long enough, repeated, new password', () => {
    expect(passwordProblem('old-password', 'new-password-1', 'new-password-1')).toBeNull();
  });
  it('says what to do about a short, mistyped or unchanged password', () => {
    expect(passwordProblem('old-password', 'short', 'short')).toMatch(/at least 8/);
    expect(passwordProblem('old-password', 'new-password-1', 'new-password-2')).toMatch(/same password twice/);
    expect(passwordProblem('same-password', 'same-password', 'same-password')).toMatch(/differ from the current/);
  });
});
