import { useState } from 'react';
import { asApiError, describeError } from '../api';
import { inUseInWords } from './inUse';

interface Props {
  /** What is deleted, in words: `the entry “home-hero”`. */
  what: string;
  /** The question the confirmation asks, with what follows from deleting. */
  confirm: string;
  /** Deletes; throws the server's refusal. */
  onDelete: () => Promise<unknown>;
  onDeleted: () => void;
  disabled?: boolean;
  label?: string;
}

/**
 * A delete action: asks for confirmation, deletes, and when the server refuses because the thing
 * is still in use, says next to the button what uses it.
 */
export function DeleteButton({ what, confirm, onDelete, onDeleted, disabled, label = 'Delete' }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    if (!window.confirm(confirm)) return;
    setBusy(true);
    setError(null);
    try {
      await onDelete();
      onDeleted();
    } catch (err) {
      const api = asApiError(err);
      const inUse = api.code === 'CONFLICT' ? inUseInWords(api.message, capitalised(what)) : null;
      setError(inUse ?? describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="delete-action">
      <button type="button" className="btn btn-small btn-danger" disabled={disabled || busy} onClick={() => void run()}>
        {busy ? 'Deleting…' : label}
      </button>
      {error && <span className="field-error" role="alert">{error}</span>}
    </span>
  );
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
