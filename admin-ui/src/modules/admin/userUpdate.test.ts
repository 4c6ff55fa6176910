import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { userProblem, userUpdate } from './userUpdate';

describe('userUpdate', () => {
  it('keeps brands for editors and reviewers only', () => {
    expect(userUpdate('EDITOR', ['alpine'], false)).toEqual({ role: 'EDITOR', brands: ['alpine'], disabled: false });
    expect(userUpdate('ADMIN', ['alpine'], true)).toEqual({ role: 'ADMIN', brands: [], disabled: true });
  });
});

describe('userProblem', () => {
  it('gives the last-admin refusal as the server words it', () => {
    const err = new ApiError('CONFLICT', 'this is the last active admin: make another user an admin first');
    expect(userProblem(err)).toBe('This is the last active admin: make another user an admin first.');
  });
  it('describes other errors as everywhere else', () => {
    expect(userProblem(new ApiError('BAD_INPUT', 'no brand'))).toBe('No brand. Correct it and try again.');
  });
});
