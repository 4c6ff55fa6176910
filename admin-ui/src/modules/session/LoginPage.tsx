import { useState, type FormEvent } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { asApiError, describeError, LoginDocument, request } from '../../api';
import { useSessionApi } from './SessionContext';

export function LoginPage() {
  const { state, signIn } = useSessionApi();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (state.phase === 'signed-in') {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from && from !== '/login' ? from : '/'} replace />;
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { login } = await request(LoginDocument, { email: email.trim(), password });
      await signIn(login.token);
    } catch (err) {
      setError(loginProblem(err));
    } finally {
      setBusy(false);
    }
  }

  const reason = state.phase === 'signed-out' ? state.reason : undefined;
  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Vary</h1>
        <p className="muted">Sign in to manage your brands’ content.</p>
        {reason && !error && <p className="notice" role="status">{reason}</p>}
        <label htmlFor="login-email">Email</label>
        <input id="login-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        <label htmlFor="login-password">Password</label>
        <input id="login-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {error && <p className="field-error" role="alert">{error}</p>}
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

/** Why signing in failed, saying what to do. */
function loginProblem(err: unknown): string {
  const e = asApiError(err);
  if (e.code !== 'UNAUTHENTICATED') return describeError(err);
  if (e.message.includes('disabled')) return 'This account is disabled. Ask an administrator to enable it.';
  return 'Wrong email or password.';
}
