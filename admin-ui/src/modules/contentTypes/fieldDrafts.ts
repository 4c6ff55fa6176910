/**
 * The content-type builder's form as pure data: the fields being edited (each remembering the
 * name it was saved under, so a changed name is sent as a rename), the checks the server makes
 * said in words before saving, and the inputs `createContentType` / `updateContentType` take.
 */
import type { FieldDefInput, FieldKind, FieldRenameInput } from '../../api';

export const FIELD_KINDS: { kind: FieldKind; label: string }[] = [
  { kind: 'TEXT', label: 'Text' },
  { kind: 'RICH_TEXT', label: 'Rich text (Markdown)' },
  { kind: 'NUMBER', label: 'Number' },
  { kind: 'BOOLEAN', label: 'Yes / no' },
  { kind: 'ASSET', label: 'Image' },
  { kind: 'URL', label: 'Web address' },
  { kind: 'DATETIME', label: 'Date and time' },
  { kind: 'JSON', label: 'JSON' },
  { kind: 'REFERENCE', label: 'Reference to an entry' },
];

export interface SavedField {
  name: string;
  kind: FieldKind;
  required: boolean;
  maxLength?: number | null;
  to: string[];
  list: boolean;
}

export interface FieldDraft {
  /** Stable id of the row while editing. */
  rowId: string;
  /** The name this field was saved under; null for a field added in this edit. */
  savedName: string | null;
  name: string;
  kind: FieldKind;
  required: boolean;
  list: boolean;
  /** As typed; empty means no limit. */
  maxLength: string;
  /** REFERENCE only: the content types it may point to (none: any). */
  to: string[];
}

let rows = 0;
const nextRowId = () => `f${++rows}`;

export function newFieldDraft(): FieldDraft {
  return { rowId: nextRowId(), savedName: null, name: '', kind: 'TEXT', required: false, list: false, maxLength: '', to: [] };
}

export function draftsFromFields(fields: readonly SavedField[]): FieldDraft[] {
  return fields.map((f) => ({
    rowId: nextRowId(),
    savedName: f.name,
    name: f.name,
    kind: f.kind,
    required: f.required,
    list: f.list,
    maxLength: f.maxLength == null ? '' : String(f.maxLength),
    to: [...f.to],
  }));
}

/** Whether `maxLength` means something for the field: a list's size, or a text's length. */
export function limitApplies(d: Pick<FieldDraft, 'kind' | 'list'>): boolean {
  return d.list || d.kind === 'TEXT' || d.kind === 'RICH_TEXT' || d.kind === 'URL';
}

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Problems per row (by rowId) and for the whole form, in words; empty when the form can be sent. */
export function fieldProblems(typeName: string, drafts: readonly FieldDraft[]): { type: string | null; rows: Record<string, string> } {
  const rowsOut: Record<string, string> = {};
  const seen = new Set<string>();
  for (const d of drafts) {
    const name = d.name.trim();
    const limit = d.maxLength.trim();
    if (name === '') rowsOut[d.rowId] = 'Give the field a name.';
    else if (!IDENTIFIER.test(name)) rowsOut[d.rowId] = `“${name}” cannot be a field name: start with a letter and use only letters, digits and _.`;
    else if (seen.has(name)) rowsOut[d.rowId] = `There is already a field named “${name}”. Choose another name.`;
    else if (limitApplies(d) && limit !== '' && !(/^\d+$/.test(limit) && Number(limit) >= 1)) {
      rowsOut[d.rowId] = d.list ? 'The most items must be a whole number of at least 1, or empty for no limit.' : 'The length limit must be a whole number of at least 1, or empty for no limit.';
    }
    seen.add(name);
  }
  let type: string | null = null;
  if (typeName.trim() === '') type = 'Give the content type a name.';
  else if (typeName.trim().length > 100) type = 'Shorten the name to at most 100 characters.';
  else if (drafts.length === 0) type = 'Add at least one field.';
  return { type, rows: rowsOut };
}

/** The field list as `FieldDefInput`s, in form order. */
export function toFieldInputs(drafts: readonly FieldDraft[]): FieldDefInput[] {
  return drafts.map((d) => {
    const limit = limitApplies(d) ? d.maxLength.trim() : '';
    return {
      name: d.name.trim(),
      kind: d.kind,
      required: d.required,
      list: d.list,
      maxLength: limit === '' ? null : Number(limit),
      to: d.kind === 'REFERENCE' ? d.to : [],
    };
  });
}

/** A saved field whose name changed is a rename (its stored values follow it). */
export function renamesOf(drafts: readonly FieldDraft[]): FieldRenameInput[] {
  return drafts
    .filter((d) => d.savedName !== null && d.savedName !== d.name.trim())
    .map((d) => ({ from: d.savedName as string, to: d.name.trim() }));
}

/** Saved fields the form no longer has: their values are dropped from new revisions. */
export function removedFields(saved: readonly SavedField[], drafts: readonly FieldDraft[]): string[] {
  const kept = new Set(drafts.map((d) => d.savedName).filter((n): n is string => n !== null));
  return saved.map((f) => f.name).filter((n) => !kept.has(n));
}

/** A field's shape in a few words: "Text, required, list of at most 3". */
export function describeField(f: SavedField): string {
  const kind = FIELD_KINDS.find((k) => k.kind === f.kind)?.label ?? f.kind;
  const parts = [kind];
  if (f.kind === 'REFERENCE') parts.push(f.to.length ? `to ${f.to.join(' or ')}` : 'to any type');
  if (f.required) parts.push('required');
  if (f.list) parts.push(f.maxLength != null ? `list of at most ${f.maxLength}` : 'list');
  else if (f.maxLength != null) parts.push(`at most ${f.maxLength} characters`);
  return parts.join(', ');
}
