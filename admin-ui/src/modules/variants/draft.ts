/**
 * A variant as edited in the form, and the pure conversions to and from the
 * API: a new variant's input, or a patch holding only what changed (so an
 * explicit `null` always means "clear this").
 */
import type { CreateVariantInput, Device, VariantFullFragment, VariantPatch } from '../../api';
import { parseRule, serializeRule, type Json, type RuleTree } from '../../rules';

export interface VariantDraft {
  name: string;
  fields: Record<string, unknown>;
  tags: string[];
  rule: RuleTree;
  devices: Device[];
  locale: string | null;
  /** As typed; must be an integer to save. */
  priority: string;
  startsAt: string | null;
  endsAt: string | null;
}

export const DEVICES: Device[] = ['MOBILE', 'TABLET', 'DESKTOP', 'TV', 'OTHER'];

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
}

export function draftFromVariant(v: VariantFullFragment): VariantDraft {
  return {
    name: v.name,
    fields: asObject(v.fields),
    tags: [...v.tags],
    rule: parseRule((v.rule ?? null) as Json),
    devices: [...v.devices],
    locale: v.locale ?? null,
    priority: String(v.priority),
    startsAt: v.startsAt ?? null,
    endsAt: v.endsAt ?? null,
  };
}

export function emptyDraft(): VariantDraft {
  return { name: '', fields: {}, tags: [], rule: null, devices: [], locale: null, priority: '0', startsAt: null, endsAt: null };
}

/** JSON equality that ignores key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return stable(a) === stable(b);
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

function sameInstant(a: string | null, b: string | null): boolean {
  if (!a || !b) return a === b;
  return new Date(a).getTime() === new Date(b).getTime();
}

export interface DraftProblem {
  field: 'name' | 'priority' | 'schedule';
  message: string;
}

export function draftProblems(d: VariantDraft): DraftProblem[] {
  const out: DraftProblem[] = [];
  if (!d.name.trim()) out.push({ field: 'name', message: 'Give the variant a name.' });
  if (!/^-?\d+$/.test(d.priority.trim())) out.push({ field: 'priority', message: 'Priority is a whole number, e.g. 0 or 10.' });
  if (d.startsAt && d.endsAt && new Date(d.startsAt) >= new Date(d.endsAt)) {
    out.push({ field: 'schedule', message: 'The end must come after the start.' });
  }
  return out;
}

export function toCreateInput(entryId: string, d: VariantDraft): CreateVariantInput {
  return {
    entryId,
    name: d.name.trim(),
    fields: d.fields,
    tags: d.tags,
    rule: serializeRule(d.rule),
    devices: d.devices,
    locale: d.locale,
    priority: Number.parseInt(d.priority, 10),
    startsAt: d.startsAt,
    endsAt: d.endsAt,
  };
}

/** Only the changed parts; an empty object means nothing to save. */
export function toPatch(orig: VariantFullFragment, d: VariantDraft): VariantPatch {
  const patch: VariantPatch = {};
  if (d.name.trim() !== orig.name) patch.name = d.name.trim();
  if (!sameJson(d.fields, asObject(orig.fields))) patch.fields = d.fields;
  if (!sameJson(d.tags, orig.tags)) patch.tags = d.tags;
  const rule = serializeRule(d.rule);
  if (!sameJson(rule, orig.rule ?? null)) patch.rule = rule;
  if (!sameJson([...d.devices].sort(), [...orig.devices].sort())) patch.devices = d.devices;
  if ((d.locale ?? null) !== (orig.locale ?? null)) patch.locale = d.locale;
  const priority = Number.parseInt(d.priority, 10);
  if (priority !== orig.priority) patch.priority = priority;
  if (!sameInstant(d.startsAt, orig.startsAt ?? null)) patch.startsAt = d.startsAt;
  if (!sameInstant(d.endsAt, orig.endsAt ?? null)) patch.endsAt = d.endsAt;
  return patch;
}

export function isDirty(orig: VariantFullFragment | null, d: VariantDraft): boolean {
  if (!orig) return !sameJson({ ...d, rule: serializeRule(d.rule) }, { ...emptyDraft(), rule: null });
  return Object.keys(toPatch(orig, d)).length > 0;
}
