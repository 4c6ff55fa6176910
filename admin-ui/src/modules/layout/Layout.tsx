import { useEffect } from 'react';
import { FOLLOWS_BAR } from './useBarBrand';
import { NavLink, Outlet, useLocation, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { canManageBrands, canManageUsers, canReadAudit, canReview } from '../session/permissions';
import { useSession, useSessionApi } from '../session/SessionContext';
import { preferredBrand, rememberBrand } from './brandChoice';

/** Brand pages that switching brands keeps (others go to the brand's entries). */
const BRAND_PAGES = ['settings', 'content-types', 'audiences', 'assets'];

const ROLE_LABEL = { ADMIN: 'Admin', EDITOR: 'Editor', REVIEWER: 'Reviewer', AUDITOR: 'Auditor' } as const;

export function Layout() {
  const { user, brands } = useSession();
  const { signOut } = useSessionApi();
  const params = useParams();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  // On a brand's settings (or types, audiences, assets), switching brands shows the other brand's; elsewhere its entries.
  const brandPage = (params.brand && BRAND_PAGES.find((p) => pathname.endsWith(`/${p}`))) || 'entries';
  const [search] = useSearchParams();
  const follows = FOLLOWS_BAR.includes(pathname);
  const current = params.brand ?? (follows ? search.get('brand') : null) ?? preferredBrand(brands.map((b) => b.slug));

  useEffect(() => {
    if (params.brand) rememberBrand(params.brand);
  }, [params.brand]);

  // After each navigation, focus moves to the page's heading so screen readers announce the new page.
  useEffect(() => {
    const heading = document.querySelector<HTMLElement>('main h1');
    if (!heading) return;
    if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }, [pathname]);

  function chooseBrand(slug: string) {
    if (follows) {
      rememberBrand(slug);
      navigate(`${pathname}?brand=${encodeURIComponent(slug)}`);
    } else {
      navigate(`/b/${encodeURIComponent(slug)}/${brandPage}`);
    }
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="logo">Vary</span>
        {brands.length > 0 && (
          <div className="brand-switch">
            <label htmlFor="brand-select">Brand</label>
            <select id="brand-select" value={current ?? ''} onChange={(e) => chooseBrand(e.target.value)}>
              {brands.map((b) => (
                <option key={b.slug} value={b.slug}>{b.name}</option>
              ))}
            </select>
          </div>
        )}
        <nav aria-label="Main" className="mainnav">
          {current && <NavLink to={`/b/${encodeURIComponent(current)}/entries`}>Entries</NavLink>}
          {current && <NavLink to={`/b/${encodeURIComponent(current)}/content-types`}>Content types</NavLink>}
          {current && <NavLink to={`/b/${encodeURIComponent(current)}/audiences`}>Audiences</NavLink>}
          {current && <NavLink to={`/b/${encodeURIComponent(current)}/assets`}>Assets</NavLink>}
          {canReview(user.role) && <NavLink to="/review">Waiting for review</NavLink>}
          {canManageUsers(user.role) && <NavLink to="/users">Users</NavLink>}
          {canManageUsers(user.role) && <NavLink to="/delivery-keys">Delivery keys</NavLink>}
          {canManageBrands(user.role) && <NavLink to="/webhooks">Webhooks</NavLink>}
          {canManageBrands(user.role) && current && <NavLink to={`/b/${encodeURIComponent(current)}/settings`}>Brand settings</NavLink>}
          {canReadAudit(user.role) && <NavLink to="/usage">Usage</NavLink>}
          {canReadAudit(user.role) && <NavLink to="/audit">Audit</NavLink>}
          {canReadAudit(user.role) && <NavLink to="/person-data">Person’s data</NavLink>}
        </nav>
        <div className="whoami">
          <span title={user.email}>{user.email}</span>
          <span className="badge badge-muted">{ROLE_LABEL[user.role] ?? user.role}</span>
          <NavLink to="/account/password" className="btn btn-small">Change password</NavLink>
          <button type="button" className="btn btn-small" onClick={() => signOut('You have signed out.')}>Sign out</button>
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

export function HomeRedirect() {
  const { brands } = useSession();
  const navigate = useNavigate();
  const slug = preferredBrand(brands.map((b) => b.slug));
  useEffect(() => {
    if (slug) navigate(`/b/${encodeURIComponent(slug)}/entries`, { replace: true });
  }, [slug, navigate]);
  if (!slug) {
    return (
      <section className="page">
        <h1>No brand yet</h1>
        <p>Your account is not linked to any brand. Ask an administrator to give you access.</p>
      </section>
    );
  }
  return null;
}

export function NotFoundPage() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>There is nothing at this address. Use the menu above to find your way.</p>
    </section>
  );
}
