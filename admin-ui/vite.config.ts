import { defineConfig } from 'vitest/config';

// JSX is compiled by Vite's own transformer (no React plugin): automatic runtime.
export default defineConfig({
  base: '/admin/',
  esbuild: { jsx: 'automatic' },
  // GraphiQL's editor (Monaco) runs its language services in module workers.
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: {
      // The admin app, and GraphiQL (served at GET /graphql; see src/http/graphql.rs).
      input: { main: 'index.html', graphiql: 'graphiql.html' },
      // react-router marks its modules "use client" (for server components); meaningless in an SPA bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    // `npm run dev` talks to a locally running `vary serve`.
    proxy: { '/graphql': 'http://127.0.0.1:8080', '/api': 'http://127.0.0.1:8080', '/assets': 'http://127.0.0.1:8080' },
  },
  test: { include: ['src/**/*.test.ts', 'src/**/*.test.tsx'], environment: 'node' },
});
