/**
 * Where a failed save's message belongs: next to a field, the rule, or the
 * save button. CONFLICT is handled apart (it offers a reload).
 */
import { asApiError, describeError, messageForField } from '../../api';

export interface PlacedErrors {
  conflict: boolean;
  fields: Record<string, string>;
  rule: string | null;
  /** The JSON path of the rule fault, when the server gave one apart from its message. */
  rulePath?: string | null;
  general: string | null;
}

export function placeSaveError(err: unknown, fieldNames: string[]): PlacedErrors {
  const e = asApiError(err);
  const out: PlacedErrors = { conflict: e.code === 'CONFLICT', fields: {}, rule: null, general: null };
  if (out.conflict) return out;
  if (e.code === 'BAD_INPUT') {
    for (const name of fieldNames) {
      const m = messageForField(err, name);
      if (m) out.fields[name] = m;
    }
    if (Object.keys(out.fields).length) return out;
    const path = e.extensions.path ?? e.extensions.field;
    if (/\brule\b/i.test(e.message) || (typeof path === 'string' && (path.startsWith('$') || path.startsWith('rule')))) {
      out.rule = e.message;
      out.rulePath = typeof path === 'string' ? path : null;
      return out;
    }
  }
  out.general = describeError(err);
  return out;
}
