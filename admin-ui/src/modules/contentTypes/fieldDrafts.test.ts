import { describe, expect, it } from 'vitest';
import { describeField, draftsFromFields, fieldProblems, newFieldDraft, removedFields, renamesOf, toFieldInputs, type SavedField } from './fieldDrafts';

const saved: SavedField[] = [
  { name: 'title', kind: 'TEXT', required: true, maxLength: 80, to: [], list: false },
  { name: 'cards', kind: 'REFERENCE', required: false, maxLength: 3, to: ['Card'], list: true },
];

describe('the content-type builder form', () => {
  it('sends the saved fields back unchanged, with no renames', () => {
    const drafts = draftsFromFields(saved);
    expect(toFieldInputs(drafts)).toEqual([
      { name: 'title', kind: 'TEXT', required: true, list: false, maxLength: 80, to: [] },
      { name: 'cards', kind: 'REFERENCE', required: false, list: true, maxLength: 3, to: ['Card'] },
    ]);
    expect(renamesOf(drafts)).toEqual([]);
    expect(fieldProblems('Page', drafts)).toEqual({ type: null, rows: {} });
  });

  it('a changed name of a saved field is a rename; a new field is not', () => {
    const drafts = draftsFromFields(saved);
    drafts[0] = { ...drafts[0], name: ' headline ' };
    const added = { ...newFieldDraft(), name: 'body' };
    expect(renamesOf([...drafts, added])).toEqual([{ from: 'title', to: 'headline' }]);
    expect(toFieldInputs([drafts[0]])[0].name).toBe('headline');
  });

  it('lists the saved fields the form no longer has', () => {
    const drafts = draftsFromFields(saved).slice(1);
    expect(removedFields(saved, drafts)).toEqual(['title']);
    const renamed = draftsFromFields(saved).map((d) => ({ ...d, name: `${d.name}2` }));
    expect(removedFields(saved, renamed)).toEqual([]);
  });

  it('drops targets from fields that are not references, and limits where they mean nothing', () => {
    const d = { ...newFieldDraft(), name: 'x', kind: 'TEXT' as const, to: ['Card'], maxLength: ' ' };
    expect(toFieldInputs([d])[0]).toMatchObject({ to: [], maxLength: null });
    const n = { ...newFieldDraft(), name: 'n', kind: 'NUMBER' as const, maxLength: 'x' };
    expect(fieldProblems('T', [n]).rows).toEqual({});
    expect(toFieldInputs([n])[0].maxLength).toBeNull();
    expect(toFieldInputs([{ ...n, list: true, maxLength: '4' }])[0].maxLength).toBe(4);
  });

  it('says in words what the server would refuse', () => {
    const rows = [
      { ...newFieldDraft(), name: '' },
      { ...newFieldDraft(), name: '1st' },
      { ...newFieldDraft(), name: 'a' },
      { ...newFieldDraft(), name: 'a' },
      { ...newFieldDraft(), name: 'b', maxLength: '0' },
    ];
    const p = fieldProblems('', rows);
    expect(p.type).toBe('Give the content type a name.');
    expect(p.rows[rows[0].rowId]).toBe('Give the field a name.');
    expect(p.rows[rows[1].rowId]).toMatch(/start with a letter/);
    expect(p.rows[rows[2].rowId]).toBeUndefined();
    expect(p.rows[rows[3].rowId]).toMatch(/already a field named “a”/);
    expect(p.rows[rows[4].rowId]).toMatch(/at least 1/);
    expect(fieldProblems('Empty', []).type).toBe('Add at least one field.');
  });

  it('describes a field in a few words', () => {
    expect(describeField(saved[0])).toBe('Text, required, at most 80 characters');
    expect(describeField(saved[1])).toBe('Reference to an entry, to Card, list of at most 3');
    expect(describeField({ name: 'r', kind: 'REFERENCE', required: false, to: [], list: false })).toBe('Reference to an entry, to any type');
  });
});
