/**
 * Changing one's own password: from the account menu, and forced after
 * signing in with a one-time password (then nothing else is reachable until
 * it succeeds; the server refuses everything else too).
 */
import { useState, type FormEvent } from 'react';
import { ChangePasswordDocument, describeError, useMutation } from '../../api';
import { passwordProblem } from './password';
import { useSessionApi } from './SessionContext';

export function ChangePasswordPage({ forced = false }: { forced?: boolean }) {
  const { reload, signOut } = useSessionApi();
  const change = useMutation(ChangePasswordDocument);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local = passwordProblem(current, next, repeat);
    setProblem(local);
    if (local) return;
    const ok = await change.run({ current, new: next });
    if (!ok) return;
    setCurrent('');
    setNext('');
    setRepeat('');
    setDone(true);
    if (forced) await reload();
  }

  const serverProblem = change.error != null ? wrongCurrent(change.error) : null;
  return (
    <section className="page">
      <h1>{forced ? 'Choose a new password' : 'Change password'}</h1>
      {forced && (
        <p className="notice" role="status">
          You signed in with a one-time password. Choose a password of your own to continue.
        </p>
      )}
      {done && !forced && <p className="notice" role="status">Your password has been changed.</p>}
      <form className="card form-grid" onSubmit={submit} aria-label="Change password">
        <div className="field field-wide">
          <label htmlFor="cp-current">{forced ? 'One-time password' : 'Current password'}</label>
          <input id="cp-current" type="password" required autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="cp-new">New password</label>
          <input id="cp-new" type="password" required minLength={8} autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
          <small className="muted">At least 8 characters.</small>
        </div>
        <div className="field">
          <label htmlFor="cp-repeat">Repeat the new password</label>
          <input id="cp-repeat" type="password" required autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        </div>
        {(problem ?? serverProblem) && <p className="field-error field-wide" role="alert">{problem ?? serverProblem}</p>}
        <div className="actions field-wide">
          <button type="submit" className="btn btn-primary" disabled={change.busy}>{change.busy ? 'Saving…' : 'Change password'}</button>
          {forced && <button type="button" className="btn" onClick={() => signOut('You have signed out.')}>Sign out</button>}
        </div>
      </form>
    </section>
  );
}

/** The server's refusal in words; a wrong current password keeps the session. */
function wrongCurrent(error: unknown): string {
  const text = describeError(error);
  if (text.startsWith('Your session has ended') && (error as { message?: string }).message?.includes('current password')) {
    return 'The current password is wrong. Type the password you signed in with.';
  }
  return text;
}
