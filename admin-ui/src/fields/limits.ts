/**
 * The length limit that binds a text field: its own `maxLength`, or the brand's maximum title
 * length for the field named `title` (the quality check that blocks publishing), whichever is lower.
 */
export interface BindingLimit {
  max: number;
  /** Whose limit it is, for the counter's words. */
  source: 'field' | 'brand';
}

export function bindingLimit(def: { name: string; maxLength?: number | null }, brandMaxTitle?: number | null): BindingLimit | null {
  const field = def.maxLength ?? null;
  const brand = def.name === 'title' ? brandMaxTitle ?? null : null;
  if (brand !== null && (field === null || brand < field)) return { max: brand, source: 'brand' };
  return field !== null ? { max: field, source: 'field' } : null;
}
