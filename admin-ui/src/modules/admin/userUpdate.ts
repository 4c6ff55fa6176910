import { asApiError, describeError, type Role, type UpdateUserInput } from '../../api';

/** The `updateUser` input for what the form holds: brands only for roles limited to brands. */
export function userUpdate(role: Role, brands: string[], disabled: boolean): UpdateUserInput {
  const perBrand = role === 'EDITOR' || role === 'REVIEWER';
  return { role, brands: perBrand ? brands : [], disabled };
}

/** Why saving a user failed, saying what to do: a refusal to leave no admin is no clash with others' edits. */
export function userProblem(err: unknown): string {
  const e = asApiError(err);
  if (e.code === 'CONFLICT' && e.message) return e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.';
  return describeError(err);
}
