/**
 * Who is signed in and which brands they may work in. Loaded once after
 * sign-in (`me` + `brands`; only `me` while a one-time password must be
 * changed); cleared on sign-out (which ends the session on the server) or
 * when the server says the token is no longer good.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { BrandsDocument, clearToken, getToken, LogoutDocument, MeDocument, request, setToken, UNAUTHENTICATED_EVENT, type BrandsQuery, type MeQuery } from '../../api';

export type User = NonNullable<MeQuery['me']>;
export type Brand = BrandsQuery['brands'][number];

export interface Session {
  user: User;
  brands: Brand[];
}

type State =
  | { phase: 'loading' }
  | { phase: 'signed-out'; reason?: string }
  | { phase: 'error'; error: unknown }
  | { phase: 'signed-in'; session: Session };

interface SessionApi {
  state: State;
  signIn: (token: string) => Promise<void>;
  signOut: (reason?: string) => void;
  retry: () => void;
  /** Reads `me` again (after the password was changed). */
  reload: () => Promise<void>;
  /** Puts a brand just saved into the session, so every screen sees its new settings. */
  replaceBrand: (brand: Brand) => void;
}

const Ctx = createContext<SessionApi | null>(null);

async function loadSession(): Promise<Session | null> {
  const { me } = await request(MeDocument);
  if (!me) return null;
  // Signed in with a one-time password: nothing but changing it is allowed yet.
  if (me.mustChangePassword) return { user: me, brands: [] };
  const { brands } = await request(BrandsDocument);
  return { user: me, brands };
}

/** Ends the session on the server too (best effort: the token is forgotten either way). */
function endSession(): void {
  if (getToken()) request(LogoutDocument).catch(() => undefined);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>(() => (getToken() ? { phase: 'loading' } : { phase: 'signed-out' }));

  const load = useCallback(async () => {
    if (!getToken()) return setState({ phase: 'signed-out' });
    setState({ phase: 'loading' });
    try {
      const session = await loadSession();
      if (!session) {
        clearToken();
        setState({ phase: 'signed-out', reason: 'Your session has ended. Please sign in again.' });
      } else setState({ phase: 'signed-in', session });
    } catch (error) {
      if (!getToken()) setState({ phase: 'signed-out', reason: 'Your session has ended. Please sign in again.' });
      else setState({ phase: 'error', error });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const onExpired = () => setState({ phase: 'signed-out', reason: 'Your session has ended. Please sign in again.' });
    window.addEventListener(UNAUTHENTICATED_EVENT, onExpired);
    return () => window.removeEventListener(UNAUTHENTICATED_EVENT, onExpired);
  }, []);

  const api = useMemo<SessionApi>(
    () => ({
      state,
      signIn: async (token) => {
        setToken(token);
        await load();
      },
      signOut: (reason) => {
        endSession();
        clearToken();
        setState({ phase: 'signed-out', reason });
      },
      retry: () => void load(),
      reload: load,
      replaceBrand: (brand) =>
        setState((s) =>
          s.phase === 'signed-in'
            ? { phase: 'signed-in', session: { ...s.session, brands: s.session.brands.map((b) => (b.slug === brand.slug ? brand : b)) } }
            : s,
        ),
    }),
    [state, load],
  );

  return <Ctx.Provider value={api}>{children}</Ctx.Provider>;
}

export function useSessionApi(): SessionApi {
  const api = useContext(Ctx);
  if (!api) throw new Error('useSessionApi outside SessionProvider');
  return api;
}

/** The signed-in session; only for screens behind RequireSession. */
export function useSession(): Session {
  const { state } = useSessionApi();
  if (state.phase !== 'signed-in') throw new Error('useSession without a session');
  return state.session;
}

export function useBrand(slug: string | undefined): Brand | undefined {
  const { brands } = useSession();
  return brands.find((b) => b.slug === slug);
}
