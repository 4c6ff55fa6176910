/**
 * The editable rule tree and its exact conversion to and from rule JSON.
 *
 * `parseRule(json)` never fails: anything it cannot represent as a condition or
 * group is kept verbatim in a `raw` node, so `serializeRule(parseRule(x))`
 * deep-equals `x` for every JSON value. Typed values keep their JSON type:
 * the string "34" and the number 34 stay different.
 */
import { isOp, type Op } from './ops';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type ValueType = 'string' | 'number' | 'boolean';

/** One scalar value as edited: its JSON type plus the text in the input. */
export interface TypedValue {
  type: ValueType;
  text: string;
}

/** The `value` of a condition: absent, one scalar, or an array of scalars. */
export type ConditionValue =
  | { shape: 'none' }
  | { shape: 'single'; value: TypedValue }
  | { shape: 'list'; items: TypedValue[] };

export interface ConditionNode {
  id: string;
  kind: 'condition';
  attr: string;
  op: Op;
  value: ConditionValue;
}

export interface GroupNode {
  id: string;
  kind: 'all' | 'any';
  children: RuleNode[];
}

export interface NotNode {
  id: string;
  kind: 'not';
  child: RuleNode;
}

/** `{"audience": NAME}`: holds when the brand's audience NAME's rule holds. */
export interface AudienceNode {
  id: string;
  kind: 'audience';
  name: string;
}

/** JSON the builder cannot edit visually; kept and written back unchanged. */
export interface RawNode {
  id: string;
  kind: 'raw';
  json: Json;
}

export type RuleNode = ConditionNode | GroupNode | NotNode | AudienceNode | RawNode;

/** A whole rule: `null` targets everyone. */
export type RuleTree = RuleNode | null;

let counter = 0;
export function newId(): string {
  counter += 1;
  return `r${counter}`;
}

function isPlainObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function toTypedValue(v: Json): TypedValue | null {
  if (typeof v === 'string') return { type: 'string', text: v };
  if (typeof v === 'number') return Number.isFinite(v) ? { type: 'number', text: String(v) } : null;
  if (typeof v === 'boolean') return { type: 'boolean', text: String(v) };
  return null;
}

export function fromTypedValue(v: TypedValue): string | number | boolean {
  if (v.type === 'number') return Number(v.text.trim());
  if (v.type === 'boolean') return v.text === 'true';
  return v.text;
}

function parseValue(obj: Record<string, Json>): ConditionValue | null {
  if (!('value' in obj)) return { shape: 'none' };
  const v = obj.value;
  if (Array.isArray(v)) {
    const items = v.map(toTypedValue);
    if (items.some((i) => i === null)) return null;
    return { shape: 'list', items: items as TypedValue[] };
  }
  const single = toTypedValue(v);
  return single ? { shape: 'single', value: single } : null;
}

function parseCondition(obj: Record<string, Json>): ConditionNode | null {
  const keys = Object.keys(obj);
  if (keys.some((k) => k !== 'attr' && k !== 'op' && k !== 'value')) return null;
  if (typeof obj.attr !== 'string' || !isOp(obj.op)) return null;
  const value = parseValue(obj);
  if (!value) return null;
  return { id: newId(), kind: 'condition', attr: obj.attr, op: obj.op, value };
}

function parseNode(json: Json): RuleNode {
  const raw: RawNode = { id: newId(), kind: 'raw', json };
  if (!isPlainObject(json)) return raw;
  const keys = Object.keys(json);
  if (keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any')) {
    const list = json[keys[0]];
    if (!Array.isArray(list)) return raw;
    return { id: newId(), kind: keys[0], children: list.map(parseNode) };
  }
  if (keys.length === 1 && keys[0] === 'audience' && typeof json.audience === 'string') {
    return { id: newId(), kind: 'audience', name: json.audience };
  }
  if (keys.length === 1 && keys[0] === 'not') {
    return { id: newId(), kind: 'not', child: parseNode(json.not) };
  }
  return parseCondition(json) ?? raw;
}

/** Rule JSON → editable tree. `null` and `undefined` mean "everyone". */
export function parseRule(json: Json | undefined): RuleTree {
  if (json === null || json === undefined) return null;
  return parseNode(json);
}

function serializeValue(v: ConditionValue): { value?: Json } {
  switch (v.shape) {
    case 'none':
      return {};
    case 'single':
      return { value: fromTypedValue(v.value) };
    case 'list':
      return { value: v.items.map(fromTypedValue) };
  }
}

function serializeNode(node: RuleNode): Json {
  switch (node.kind) {
    case 'condition':
      return { attr: node.attr, op: node.op, ...serializeValue(node.value) };
    case 'all':
      return { all: node.children.map(serializeNode) };
    case 'any':
      return { any: node.children.map(serializeNode) };
    case 'not':
      return { not: serializeNode(node.child) };
    case 'audience':
      return { audience: node.name };
    case 'raw':
      return node.json;
  }
}

/** Editable tree → rule JSON, exactly as the server expects it. */
export function serializeRule(tree: RuleTree): Json {
  return tree === null ? null : serializeNode(tree);
}
