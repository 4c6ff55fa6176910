/**
 * One user on the users page: role, brands and state, an editor for the role,
 * brands and disabled flag, and a password reset whose one-time password is
 * shown once.
 */
import { useState, type FormEvent } from 'react';
import { describeError, ResetPasswordDocument, UpdateUserDocument, useMutation, type Role, type UsersQuery } from '../../api';
import { RoleAndBrands, worksPerBrand } from './RoleAndBrands';
import { ROLES } from './roles';
import { userProblem, userUpdate } from './userUpdate';

type User = UsersQuery['users'][number];

export interface OneTimePassword {
  email: string;
  password: string;
}

export function UserRow({ user, editing, onEdit, onSaved, onReset }: {
  user: User;
  editing: boolean;
  onEdit: () => void;
  onSaved: () => void;
  onReset: (password: string) => void;
}) {
  const reset = useMutation(ResetPasswordDocument);
  async function resetPassword() {
    const ok = window.confirm(`Reset the password of ${user.email}? Their sessions end at once, and they must choose a new password after signing in with the one-time password.`);
    if (!ok) return;
    const res = await reset.run({ id: user.id });
    if (res) onReset(res.resetPassword);
  }
  const allBrands = user.role === 'ADMIN' || user.role === 'AUDITOR';
  return (
    <>
      <tr className={user.disabled ? 'row-muted' : undefined}>
        <td>{user.email}</td>
        <td>{ROLES.find((r) => r.role === user.role)?.label ?? user.role}</td>
        <td>{allBrands ? <span className="muted">all</span> : user.brands.join(', ') || <span className="muted">none</span>}</td>
        <td>{user.disabled ? 'Disabled' : user.mustChangePassword ? 'Must change password' : 'Active'}</td>
        <td className="actions">
          <button type="button" className="btn btn-small" aria-expanded={editing} onClick={onEdit}>Edit {user.email}</button>
          <button type="button" className="btn btn-small" disabled={reset.busy} onClick={() => void resetPassword()}>Reset password of {user.email}</button>
          {reset.error != null && <p className="field-error" role="alert">{describeError(reset.error)}</p>}
        </td>
      </tr>
      {editing && (
        <tr>
          <td colSpan={5}>
            <EditUserForm user={user} onSaved={onSaved} onCancel={onEdit} />
          </td>
        </tr>
      )}
    </>
  );
}

function EditUserForm({ user, onSaved, onCancel }: { user: User; onSaved: () => void; onCancel: () => void }) {
  const update = useMutation(UpdateUserDocument);
  const [role, setRole] = useState<Role>(user.role);
  const [chosen, setChosen] = useState<string[]>(user.brands);
  const [disabled, setDisabled] = useState(user.disabled);
  const perBrand = worksPerBrand(role);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await update.run({ id: user.id, input: userUpdate(role, chosen, disabled) });
    if (res) onSaved();
  }

  return (
    <form className="card form-grid" onSubmit={submit} aria-label={`Edit ${user.email}`}>
      <RoleAndBrands group={`eu-role-${user.id}`} role={role} onRole={setRole} chosen={chosen} onChosen={setChosen} noBrand="Choose at least one brand for an editor or a reviewer." />
      <label className="check field-wide">
        <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.target.checked)} />
        Disabled — cannot sign in; their sessions end at once
      </label>
      {update.error != null && <p className="field-error field-wide" role="alert">{userProblem(update.error)}</p>}
      <div className="actions field-wide">
        <button type="submit" className="btn btn-primary" disabled={update.busy || (perBrand && chosen.length === 0)}>{update.busy ? 'Saving…' : 'Save user'}</button>
        <button type="button" className="btn" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

export function OneTimePasswordBox({ value, onDone }: { value: OneTimePassword; onDone: () => void }) {
  return (
    <div className="token-once" role="status">
      <p>
        <strong>One-time password for {value.email}.</strong> Give it to them now: it is shown only this once.
        They must choose a new password when they sign in with it.
      </p>
      <div className="token-row">
        <label htmlFor="otp-value" className="sr-only">One-time password</label>
        <input id="otp-value" className="mono" readOnly value={value.password} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="btn" onClick={() => void navigator.clipboard?.writeText(value.password)}>Copy</button>
        <button type="button" className="btn" onClick={onDone}>Done</button>
      </div>
    </div>
  );
}
