/** Set-up through the API for pages that need an experiment: a draft holdout on an entry of its own. */
import type { APIRequestContext } from '@playwright/test';
import { gql, unique } from './fixtures';

/** Makes a DRAFT experiment in alpine (nothing is served differently) and returns its report's UI path. */
export async function draftExperimentPath(request: APIRequestContext, admin: string): Promise<string> {
  const key = unique('e2e-exp-draft');
  const { createEntry } = await gql(request, admin, 'mutation ($input: CreateEntryInput!) { createEntry(input: $input) { id } }', {
    input: { brand: 'alpine', key, contentType: 'Hero', description: 'an experiment report for the axe pass' },
  });
  const { createVariant } = await gql(request, admin, 'mutation ($input: CreateVariantInput!) { createVariant(input: $input) { id } }', {
    input: { entryId: createEntry.id, name: `Default ${key}`, fields: { title: 'Default hero' } },
  });
  const { createExperiment } = await gql(request, admin, 'mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { id } }', {
    input: {
      entryId: createEntry.id,
      name: `Holdout ${key}`,
      goal: 'CLICK',
      arms: [{ name: 'control', variant: createVariant.id, weight: 10 }, { name: 'personalized', ranked: true, weight: 90 }],
    },
  });
  return `b/alpine/experiments/${createExperiment.id}`;
}
