/**
 * The brand's images, newest first, page after page: the loader behind the
 * asset library page and the asset field's "Browse library". A later load
 * supersedes an earlier one still in flight.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { AssetLibraryDocument, request, type AssetLibraryQuery } from '../../api';

export type LibraryAsset = AssetLibraryQuery['assets']['edges'][number]['node'];

export interface AssetPages {
  assets: LibraryAsset[];
  total: number;
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  /** Puts an edited asset in place of the one with its id. */
  replace: (asset: LibraryAsset) => void;
  reload: () => void;
  loadMore: () => void;
}

/** Loads the first page of `pageSize` while `enabled` (and again when the brand changes). */
export function useAssetPages(brand: string, pageSize: number, enabled = true): AssetPages {
  const [assets, setAssets] = useState<LibraryAsset[]>([]);
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(enabled);
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);

  const load = useCallback(async (after: string | null) => {
    const mine = ++seq.current;
    setLoading(true);
    setError(null);
    try {
      const res = await request(AssetLibraryDocument, { brand, first: pageSize, after });
      if (mine !== seq.current) return;
      const nodes = res.assets.edges.map((e) => e.node);
      setAssets((old) => (after ? [...old, ...nodes] : nodes));
      setTotal(res.assets.totalCount);
      setCursor(res.assets.pageInfo.endCursor ?? null);
      setHasMore(res.assets.pageInfo.hasNextPage);
    } catch (err) {
      if (mine === seq.current) setError(err);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [brand, pageSize]);

  useEffect(() => {
    if (enabled) void load(null);
  }, [load, enabled]);

  const replace = (a: LibraryAsset) => setAssets((old) => old.map((x) => (x.id === a.id ? a : x)));
  return { assets, total, hasMore, loading, error, replace, reload: () => void load(null), loadMore: () => void load(cursor) };
}
