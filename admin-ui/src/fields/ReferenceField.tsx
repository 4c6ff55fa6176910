import { useEffect, useId, useState } from 'react';
import { describeError, EntriesDocument, request } from '../api';
import { allowedTypes, matchingEntries, type EntryChoice } from './references';
import type { FieldEditorProps } from './types';

/** The brand's entries of the allowed types (every type when the field names none), the first 100 of each. */
function useCandidates(brand: string, to: readonly string[] | null | undefined, enabled: boolean) {
  const [entries, setEntries] = useState<EntryChoice[]>([]);
  const [error, setError] = useState<string | null>(null);
  const types = allowedTypes(to);
  const typesKey = types?.join('\u0000') ?? '';
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const wanted = types ?? [null];
    Promise.all(wanted.map((contentType) => request(EntriesDocument, { brand, contentType, first: 100 })))
      .then((pages) => {
        if (!live) return;
        setEntries(pages.flatMap((p) => p.entries.edges.map((e) => e.node)));
      })
      .catch((err) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [brand, typesKey, enabled]);
  return { entries, error };
}

/** An entry key of the brand: typed in, or searched among the entries of the types the field allows. */
export function ReferenceField({ def, value, onChange, inputId, describedBy, disabled, brand }: FieldEditorProps) {
  const key = typeof value === 'string' ? value : '';
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const listId = useId();
  const { entries, error } = useCandidates(brand, def.to, open);
  const matches = matchingEntries(entries, query);
  const types = allowedTypes(def.to);

  return (
    <div className="reference-field">
      <div className="reference-inputs">
        <input
          id={inputId}
          type="text"
          placeholder="Entry key"
          value={key}
          onChange={(e) => onChange(e.target.value === '' && !def.required ? undefined : e.target.value)}
          disabled={disabled}
          aria-describedby={describedBy}
        />
        <button type="button" className="btn btn-small" aria-expanded={open} aria-controls={listId} disabled={disabled} onClick={() => setOpen((o) => !o)}>
          {open ? 'Close' : 'Find entry'}
        </button>
      </div>
      {open && (
        <div id={listId} className="reference-picker">
          <input
            type="search"
            aria-label={`Search entries for ${def.name}`}
            placeholder={types ? `Search ${types.join(' or ')} entries` : 'Search entries'}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          {error && <p className="error">{error}</p>}
          <ul className="reference-results" aria-label={`Entries for ${def.name}`}>
            {matches.map((entry) => (
              <li key={entry.key}>
                <button
                  type="button"
                  className="btn btn-link"
                  aria-pressed={entry.key === key}
                  onClick={() => {
                    onChange(entry.key);
                    setOpen(false);
                  }}
                >
                  {entry.key} <span className="muted">{entry.contentType}{entry.description ? ` · ${entry.description}` : ''}</span>
                </button>
              </li>
            ))}
            {matches.length === 0 && !error && <li className="muted">No matching entries.</li>}
          </ul>
        </div>
      )}
    </div>
  );
}
