/** A new variant's input with the latest content of `v` (a draft named "… (copy)"). */
import type { CreateVariantInput, VariantFullFragment } from '../../api';

export function duplicateInput(entryId: string, v: VariantFullFragment): CreateVariantInput {
  return {
    entryId,
    name: `${v.name} (copy)`,
    fields: v.fields,
    tags: [...v.tags],
    rule: v.rule ?? null,
    devices: [...v.devices],
    locale: v.locale ?? null,
    priority: v.priority,
    startsAt: v.startsAt ?? null,
    endsAt: v.endsAt ?? null,
  };
}
