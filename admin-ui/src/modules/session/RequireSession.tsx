import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { ErrorBox } from '../../ui/ErrorBox';
import { Loading } from '../../ui/Loading';
import { ChangePasswordPage } from './ChangePasswordPage';
import { canManageUsers, canReadAudit } from './permissions';
import { useSession, useSessionApi } from './SessionContext';

/** Renders its children only for a signed-in person; otherwise goes to sign-in. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { state, retry, signOut } = useSessionApi();
  const location = useLocation();
  if (state.phase === 'loading') return <div className="page-center"><Loading what="Opening your session" /></div>;
  if (state.phase === 'error') {
    return (
      <div className="page-center">
        <ErrorBox error={state.error} onRetry={retry} title="Could not open your session." />
        <button type="button" className="btn" onClick={() => signOut()}>Sign in again</button>
      </div>
    );
  }
  if (state.phase === 'signed-out') return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (state.session.user.mustChangePassword) {
    return (
      <main id="main" className="content">
        <ChangePasswordPage forced />
      </main>
    );
  }
  return <>{children}</>;
}

/** Admin pages: anyone else sees a plain refusal, never the page. */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const { user } = useSession();
  if (!canManageUsers(user.role)) {
    return (
      <section className="page">
        <h1>Not available</h1>
        <p>This page is for administrators.</p>
      </section>
    );
  }
  return <>{children}</>;
}

/** Audit pages: auditors and admins; anyone else sees a plain refusal. */
export function RequireAuditor({ children }: { children: ReactNode }) {
  const { user } = useSession();
  if (!canReadAudit(user.role)) {
    return (
      <section className="page">
        <h1>Not available</h1>
        <p>This page is for auditors and administrators.</p>
      </section>
    );
  }
  return <>{children}</>;
}
