/**
 * The operators of Vary's audience-rule language and what value each takes.
 * Shared by the tree model, the text renderer, validation and the builder UI.
 */

import type { ValueType } from './model';

export const OPS = [
  'eq', 'ne', 'in', 'not_in', 'contains', 'not_contains', 'starts_with', 'ends_with',
  'matches', 'gt', 'gte', 'lt', 'lte', 'between', 'exists', 'not_exists', 'before', 'after',
] as const;

export type Op = (typeof OPS)[number];

/** What shape of value an operator takes. */
export type ValueShape = 'none' | 'single' | 'list' | 'pair';

export interface OpInfo {
  shape: ValueShape;
  /** Words used in the builder's dropdown and in ruleToText. */
  label: string;
}

export const OP_INFO: Record<Op, OpInfo> = {
  eq: { shape: 'single', label: 'is' },
  ne: { shape: 'single', label: 'is not' },
  in: { shape: 'list', label: 'is one of' },
  not_in: { shape: 'list', label: 'is none of' },
  contains: { shape: 'single', label: 'contains' },
  not_contains: { shape: 'single', label: 'does not contain' },
  starts_with: { shape: 'single', label: 'starts with' },
  ends_with: { shape: 'single', label: 'ends with' },
  matches: { shape: 'single', label: 'matches pattern' },
  gt: { shape: 'single', label: 'is greater than' },
  gte: { shape: 'single', label: 'is at least' },
  lt: { shape: 'single', label: 'is less than' },
  lte: { shape: 'single', label: 'is at most' },
  between: { shape: 'pair', label: 'is between' },
  exists: { shape: 'none', label: 'is set' },
  not_exists: { shape: 'none', label: 'is not set' },
  before: { shape: 'single', label: 'is before' },
  after: { shape: 'single', label: 'is after' },
};

/** The JSON types an operator's values may have (as the server parses them). */
export function typesForOp(op: Op): ValueType[] {
  switch (op) {
    case 'gt': case 'gte': case 'lt': case 'lte': case 'between':
      return ['number'];
    case 'starts_with': case 'ends_with': case 'matches': case 'before': case 'after':
      return ['string'];
    default:
      return ['string', 'number', 'boolean'];
  }
}

export function isOp(s: unknown): s is Op {
  return typeof s === 'string' && (OPS as readonly string[]).includes(s);
}
