/**
 * The simulator's form as pure data, and its conversion to a ContextInput.
 * Attributes are typed rows, so `age` can be the number 34 and not "34".
 */
import type { ContextInput, Device } from '../../api';
import { fromTypedValue, type TypedValue } from '../../rules';

export interface AttributeRow {
  id: number;
  key: string;
  value: TypedValue;
}

export interface SimulatorForm {
  rows: AttributeRow[];
  device: Device | '';
  locale: string;
  userKey: string;
  /** RFC 3339, or null for now. */
  at: string | null;
}

export interface ContextResult {
  context: ContextInput;
  problems: string[];
}

export function toContext(form: SimulatorForm): ContextResult {
  const attributes: Record<string, string | number | boolean> = {};
  const problems: string[] = [];
  for (const row of form.rows) {
    const key = row.key.trim();
    if (!key) continue;
    if (key in attributes) problems.push(`The attribute “${key}” is given twice.`);
    const text = row.value.text.trim();
    if (row.value.type === 'number' && (text === '' || !Number.isFinite(Number(text)))) {
      problems.push(`“${row.value.text}” for ${key} is not a number.`);
      continue;
    }
    attributes[key] = fromTypedValue(row.value);
  }
  const context: ContextInput = { attributes };
  if (form.device) context.device = form.device;
  if (form.locale.trim()) context.locale = form.locale.trim();
  if (form.userKey.trim()) context.userKey = form.userKey.trim();
  if (form.at) context.at = form.at;
  return { context, problems };
}

/** CSS pixel size of the preview frame for each device. */
export const FRAME: Record<Device, { width: number; height: number }> = {
  MOBILE: { width: 390, height: 700 },
  TABLET: { width: 820, height: 1000 },
  DESKTOP: { width: 1280, height: 800 },
  TV: { width: 1920, height: 1080 },
  OTHER: { width: 1280, height: 800 },
};
