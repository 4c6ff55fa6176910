/**
 * The top bar's brand on pages that are not under /b/:brand (Usage, Audit, Webhooks): carried in `?brand=`,
 * so the bar's picker drives the page and the page's own picker moves the bar.
 */
import { useSearchParams } from 'react-router-dom';
import { rememberBrand } from './brandChoice';

/** Pages whose brand follows the top bar's picker through `?brand=`. */
export const FOLLOWS_BAR = ['/usage', '/audit', '/webhooks'];

export function useBarBrand(): [string | undefined, (slug: string) => void] {
  const [search, setSearch] = useSearchParams();
  const slug = search.get('brand') ?? undefined;
  const choose = (next: string) => {
    if (next) rememberBrand(next);
    setSearch(next ? { brand: next } : {}, { replace: true });
  };
  return [slug, choose];
}
