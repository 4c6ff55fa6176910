/**
 * Set-up through the API for the #24 journeys: a brand of the test's own (so policy changes
 * touch nothing else) with a `Hero` content type and an entry, and published variants.
 */
import type { APIRequestContext } from '@playwright/test';
import { gql } from './fixtures';

export async function seedBrand(request: APIRequestContext, admin: string, slug: string, policy: Record<string, unknown> = {}): Promise<string> {
  await gql(request, admin, 'mutation($i: CreateBrandInput!) { createBrand(input: $i) { slug } }',
    { i: { slug, name: `Brand ${slug}`, defaultLocale: 'en', locales: ['en'], policy } });
  await gql(request, admin, 'mutation($i: CreateContentTypeInput!) { createContentType(input: $i) { id } }',
    { i: { brand: slug, name: 'Hero', fields: [{ name: 'title', kind: 'TEXT', required: true, maxLength: 80 }, { name: 'body', kind: 'TEXT' }] } });
  const entry = await gql<{ createEntry: { id: string } }>(request, admin, 'mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }',
    { i: { brand: slug, key: 'home', contentType: 'Hero' } });
  return entry.createEntry.id;
}

export async function variant(request: APIRequestContext, token: string, entryId: string, input: Record<string, unknown>): Promise<string> {
  const made = await gql<{ createVariant: { id: string } }>(request, token,
    'mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }', { i: { entryId, ...input } });
  return made.createVariant.id;
}

export async function publishedVariant(request: APIRequestContext, admin: string, entryId: string, input: Record<string, unknown>): Promise<string> {
  const id = await variant(request, admin, entryId, input);
  await gql(request, admin, 'mutation($id: ID!) { publishVariant(id: $id) { id } }', { id });
  return id;
}
