// A small app client written against the generated types: if the typed SDL loses a field,
// changes a type or a nullability, this stops type-checking.
import { OffersDocument, PageDocument } from './gen/graphql';
import type {
  ContextInput,
  OffersQuery,
  OffersQueryVariables,
  PageQuery,
  PageQueryVariables,
} from './gen/graphql';

async function post<R, V>(endpoint: string, token: string, query: string, variables: V): Promise<R> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: R };
  return body.data;
}

export async function page(endpoint: string, token: string, key: string, context?: ContextInput) {
  const variables: PageQueryVariables = { key, context };
  return post<PageQuery, PageQueryVariables>(endpoint, token, PageDocument.toString(), variables);
}

/** What a page shows: required fields are plain strings, optional ones may be null. */
export function heroOf(data: PageQuery): { title: string; html: string | null; link: string | null } | null {
  const hero = data.page.variant?.hero.variant;
  if (!hero) return null;
  const title: string = hero.title;
  return { title, html: hero.body?.html ?? null, link: hero.link ?? null };
}

export function cardTitles(data: PageQuery): string[] {
  const cards = data.page.variant?.cards ?? [];
  return cards.map((card) => card.variant?.title ?? card.key);
}

export function nextKey(data: PageQuery): string | null {
  const next = data.page.variant?.next;
  if (!next) return null;
  switch (next.__typename) {
    case 'PageResolved':
      return `${next.key}: ${next.reason}`;
    case 'CardResolved':
      return next.key;
    default:
      return null;
  }
}

export function servedIds(data: PageQuery): string[] {
  const ids = [data.page.servedId, data.page.variant?.hero.servedId];
  return ids.filter((id): id is string => typeof id === 'string');
}

export async function offers(endpoint: string, token: string, keys: string[]) {
  const data = await post<OffersQuery, OffersQueryVariables>(endpoint, token, OffersDocument.toString(), { keys });
  return data.offerList.map((offer) => {
    const v = offer.variant;
    if (!v) return null;
    const price: number = v.price;
    const active: boolean | null | undefined = v.active;
    const links: string[] = v.links ?? [];
    const notes: string[] = (v.notes ?? []).map((n) => n.html);
    const width: number | undefined = v.image?.width;
    return { price, active, ends: v.ends, extra: v.extra, links, notes, width };
  });
}
