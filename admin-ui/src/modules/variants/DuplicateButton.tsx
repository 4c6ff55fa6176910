import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { CreateVariantDocument, describeError, request, type VariantFullFragment } from '../../api';
import { paths } from '../entries/paths';
import { duplicateInput } from './duplicate';

/** "Duplicate variant": a new draft with this variant's latest content, opened for editing. */
export function DuplicateButton({ variant, brand, entryKey, entryId, disabled }: { variant: VariantFullFragment; brand: string; entryKey: string; entryId: string; disabled: boolean }) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function duplicate() {
    setBusy(true);
    setError(null);
    try {
      const made = (await request(CreateVariantDocument, { input: duplicateInput(entryId, variant) })).createVariant;
      navigate(paths.variant(brand, entryKey, made.id));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <span className="duplicate">
      <button type="button" className="btn" disabled={busy || disabled} title={disabled ? 'Save your changes first.' : undefined} onClick={() => void duplicate()}>
        {busy ? 'Duplicating…' : 'Duplicate variant'}
      </button>
      {error && <span className="field-error" role="alert"> {error}</span>}
    </span>
  );
}
