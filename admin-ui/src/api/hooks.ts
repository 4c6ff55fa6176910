/**
 * React hooks over `request`: `useQuery` loads on mount and when its
 * variables change; `useMutation` tracks one call's progress and error.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { request } from './client';
import type { TypedDocumentString } from './gen/graphql';

export interface QueryState<R> {
  data: R | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
}

export function useQuery<R, V>(doc: TypedDocumentString<R, V>, variables: V, opts: { skip?: boolean } = {}): QueryState<R> {
  const [data, setData] = useState<R>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(!opts.skip);
  const key = JSON.stringify(variables);
  const seq = useRef(0);

  const run = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    setError(null);
    try {
      const result = await (request as (d: TypedDocumentString<R, V>, v: V) => Promise<R>)(doc, JSON.parse(key) as V);
      if (mine === seq.current) setData(result);
    } catch (err) {
      if (mine === seq.current) setError(err);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [doc, key]);

  useEffect(() => {
    if (opts.skip) return;
    void run();
  }, [run, opts.skip]);

  return { data, error, loading, reload: run };
}

export interface MutationState<R, V> {
  run: (variables: V) => Promise<R | undefined>;
  busy: boolean;
  error: unknown;
  reset: () => void;
}

/** `run` resolves to undefined on failure; the failure is in `error`. */
export function useMutation<R, V>(doc: TypedDocumentString<R, V>): MutationState<R, V> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(
    async (variables: V) => {
      setBusy(true);
      setError(null);
      try {
        return await (request as (d: TypedDocumentString<R, V>, v: V) => Promise<R>)(doc, variables);
      } catch (err) {
        setError(err);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [doc],
  );
  return { run, busy, error, reset: () => setError(null) };
}
