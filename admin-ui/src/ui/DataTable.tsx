import type { ReactNode } from 'react';

/**
 * A table that scrolls sideways on narrow screens inside a focusable, named region: the shape
 * of every list of rows in the admin (variants, the review queue, the audit log, deliveries).
 * A column heading may be a node, e.g. a visually hidden "Actions".
 */
export function DataTable({ region, label, columns, className = 'table', children }: {
  /** Names the scrolling region: "Variants" becomes "Variants (scrollable)". */
  region: string;
  /** The table's own accessible name, when it needs one apart from the region's. */
  label?: string;
  columns: ReactNode[];
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={`${region} (scrollable)`}>
      <table className={className} aria-label={label}>
        <thead>
          <tr>
            {columns.map((c, i) => <th key={i} scope="col">{c}</th>)}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
