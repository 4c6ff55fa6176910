/**
 * GraphiQL for `GET /graphql` in a browser, built into the binary with the admin UI (no CDN at run
 * time: it works offline and behind proxies). Queries go to this origin's `/graphql` with the admin
 * UI's session token when there is one (same origin, same `localStorage`).
 */
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import { getToken } from '../api/token';

async function fetcher(params: unknown): Promise<unknown> {
  const token = getToken();
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(params),
  });
  return res.json();
}

const root = document.getElementById('graphiql');
if (root) createRoot(root).render(<GraphiQL fetcher={fetcher as never} />);
