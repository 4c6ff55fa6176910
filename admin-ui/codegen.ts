// Types for every GraphQL operation come from the server's schema.graphql,
// which the Rust server generates from its code. VARY_SCHEMA may point
// elsewhere for local experiments.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: process.env.VARY_SCHEMA ?? '../schema.graphql',
  documents: ['src/api/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/api/gen/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { JSON: 'unknown', DateTime: 'string' },
      },
    },
  },
};

export default config;
