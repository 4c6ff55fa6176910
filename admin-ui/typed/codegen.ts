// Types for an app of the test brand, generated from its typed delivery SDL
// (`GET /delivery/{brand}/schema.graphql`, kept in schema.graphql by the Rust test
// `typed_delivery::typed_sdl_fixture_is_current`), as an app developer would.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'typed/schema.graphql',
  documents: ['typed/operations.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'typed/gen/': {
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
