/**
 * A small typed GraphQL client: POSTs a generated document to /graphql with
 * the session token, and turns every failure into an ApiError. A session the
 * server refuses (HTTP 401, UNAUTHENTICATED) also forgets the token and tells
 * the app, which goes back to the sign-in page.
 */
import type { TypedDocumentString } from './gen/graphql';
import { ApiError, type GraphQLErrorJson } from './errors';
import { clearToken, getToken } from './token';

export const GRAPHQL_URL = '/graphql';

export const UNAUTHENTICATED_EVENT = 'vary:unauthenticated';

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: GraphQLErrorJson[];
}

/** Variables may be omitted when the operation takes none. */
type VarsArg<V> = Record<string, never> extends V ? [variables?: V] : [variables: V];

export async function request<R, V>(doc: TypedDocumentString<R, V>, ...[variables]: VarsArg<V>): Promise<R> {
  const token = getToken();
  let res: Response;
  try {
    res = await fetch(GRAPHQL_URL, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/graphql-response+json, application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
    });
  } catch {
    throw new ApiError('NETWORK', 'network request failed');
  }
  const body = await readBody<R>(res);
  const first = body.errors?.[0];
  if (first) {
    const err = ApiError.fromGraphQL(first);
    // The session itself refused is HTTP 401; an operation's own UNAUTHENTICATED (a wrong
    // current password in changePassword) leaves the session alone.
    if (err.code === 'UNAUTHENTICATED' && token && res.status === 401) onUnauthenticated();
    throw err;
  }
  if (!res.ok || body.data === undefined || body.data === null) {
    throw new ApiError(res.status >= 500 ? 'UNAVAILABLE' : 'UNKNOWN', `the server answered HTTP ${res.status}`);
  }
  return body.data;
}

async function readBody<R>(res: Response): Promise<GraphQLResponse<R>> {
  try {
    return (await res.json()) as GraphQLResponse<R>;
  } catch {
    const code = res.status === 401 ? 'UNAUTHENTICATED' : res.status >= 500 ? 'UNAVAILABLE' : 'UNKNOWN';
    throw new ApiError(code, `the server answered HTTP ${res.status} without GraphQL`);
  }
}

/**
 * GETs a file from the REST API (reports) with the session token, as a Blob: a
 * plain link cannot carry the Authorization header. Errors come back as
 * `{"error": {"code", "message"}}` and become an ApiError like GraphQL ones.
 */
export async function fetchFile(url: string): Promise<Blob> {
  const token = getToken();
  let res: Response;
  try {
    res = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch {
    throw new ApiError('NETWORK', 'network request failed');
  }
  if (res.ok) {
    try {
      return await res.blob();
    } catch {
      throw new ApiError('NETWORK', 'the download was interrupted');
    }
  }
  const err = await restError(res);
  if (err.code === 'UNAUTHENTICATED' && token) onUnauthenticated();
  throw err;
}

async function restError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (e && typeof e.message === 'string') {
    return ApiError.fromGraphQL({ message: e.message, extensions: { code: typeof e.code === 'string' ? e.code : undefined } });
  }
  const code = res.status === 401 ? 'UNAUTHENTICATED' : res.status === 403 ? 'FORBIDDEN' : res.status >= 500 ? 'UNAVAILABLE' : 'UNKNOWN';
  return new ApiError(code, `the server answered HTTP ${res.status}`);
}

function onUnauthenticated(): void {
  clearToken();
  window.dispatchEvent(new Event(UNAUTHENTICATED_EVENT));
}
