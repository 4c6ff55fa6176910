import { useState, type FormEvent } from 'react';
import { CreateUserDocument, describeError, useMutation, UsersDocument, useQuery, type Role } from '../../api';
import { ErrorBox } from '../../ui/ErrorBox';
import { Loading } from '../../ui/Loading';
import { RoleAndBrands, worksPerBrand } from './RoleAndBrands';
import { OneTimePasswordBox, UserRow, type OneTimePassword } from './UserRow';

export function UsersPage() {
  const users = useQuery(UsersDocument, {});
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [oneTime, setOneTime] = useState<OneTimePassword | null>(null);
  return (
    <section className="page">
      <div className="page-head">
        <h1>Users</h1>
        <button type="button" className="btn btn-primary" aria-expanded={adding} onClick={() => setAdding((a) => !a)}>Add user</button>
      </div>
      {adding && <NewUserForm onDone={() => { setAdding(false); void users.reload(); }} onCancel={() => setAdding(false)} />}
      {oneTime && <OneTimePasswordBox value={oneTime} onDone={() => setOneTime(null)} />}
      <ErrorBox error={users.error} onRetry={users.reload} />
      {users.loading && !users.data && <Loading what="Loading users" />}
      {users.data && (
        <table className="table">
          <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Brands</th><th scope="col">State</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {users.data.users.map((u) => (
              <UserRow
                key={u.id}
                user={u}
                editing={editing === u.id}
                onEdit={() => setEditing(editing === u.id ? null : u.id)}
                onSaved={() => { setEditing(null); void users.reload(); }}
                onReset={(password) => { setOneTime({ email: u.email, password }); void users.reload(); }}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewUserForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const create = useMutation(CreateUserDocument);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('EDITOR');
  const [chosen, setChosen] = useState<string[]>([]);
  const perBrand = worksPerBrand(role);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await create.run({ input: { email: email.trim(), password, role, brands: perBrand ? chosen : [] } });
    if (res) onDone();
  }

  return (
    <form className="card form-grid" onSubmit={submit} aria-label="New user">
      <div className="field">
        <label htmlFor="nu-email">Email</label>
        <input id="nu-email" type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="nu-password">Initial password</label>
        <input id="nu-password" type="password" required minLength={8} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
      <RoleAndBrands group="nu-role" role={role} onRole={setRole} chosen={chosen} onChosen={setChosen} noBrand="Without a brand this person can do nothing yet." />
      {create.error != null && <p className="field-error field-wide" role="alert">{describeError(create.error)}</p>}
      <div className="actions field-wide">
        <button type="submit" className="btn btn-primary" disabled={create.busy}>{create.busy ? 'Creating…' : 'Create user'}</button>
        <button type="button" className="btn" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
