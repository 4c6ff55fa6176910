import { isRouteErrorResponse, useRouteError } from 'react-router-dom';

/** Last line of defence: a crash in a screen shows words and a way out, never a blank page. */
export function RouteError() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : String(error);
  return (
    <main className="page-center">
      <div className="card">
        <h1>Something went wrong on this screen</h1>
        <p>The page hit an unexpected problem. Reloading usually helps; if it keeps happening, report the detail below.</p>
        <pre className="mono">{detail}</pre>
        <div className="actions">
          <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>Reload</button>
          <a className="btn" href={import.meta.env.BASE_URL}>Go to start</a>
        </div>
      </div>
    </main>
  );
}
