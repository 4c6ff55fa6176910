/**
 * The contract every field editor follows: one component per FieldKind,
 * editing one value of a variant's `fields` object. `undefined` means the
 * field is unset (its key is left out of `fields`).
 */
import type { ContentTypesQuery } from '../api';

export type FieldDef = ContentTypesQuery['contentTypes'][number]['fields'][number];

export interface FieldEditorProps {
  def: FieldDef;
  value: unknown;
  onChange: (value: unknown) => void;
  /** The id of the input, for its label. */
  inputId: string;
  /** Id of the element describing the field (help and errors). */
  describedBy: string;
  disabled: boolean;
  brand: string;
  /** Reports a value the editor cannot turn into JSON yet (e.g. "12a" in a number). */
  onInvalid: (message: string | null) => void;
}
