import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// `npm run dev` starts the API on this port; Vite proxies to it.
const apiTarget = `http://127.0.0.1:${process.env.SWITCHYARD_DEV_API_PORT ?? '8080'}`;

export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    // The UI imports the server's zod contract (server/contract): let the dev server read it.
    fs: { allow: ['..'] },
    proxy: {
      '/api': { target: apiTarget, ws: true },
      '/healthz': apiTarget,
      '/readyz': apiTarget,
    },
  },
});
