// Renderer build: the React app in renderer/, built to dist/renderer/ and served by the core at `/`.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: `${repoRoot}dist/renderer`,
    emptyOutDir: true,
    target: 'chrome120',
    // One bundle loaded from 127.0.0.1 or disk, never over a slow network: size warnings are noise here.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    host: '127.0.0.1',
    // `npm run serve` in another terminal, then IOTWB_API_URL=http://127.0.0.1:<api port> vite;
    // open the printed UI link with the dev server's origin instead of the core's.
    proxy: {
      '/api': { target: process.env.IOTWB_API_URL ?? 'http://127.0.0.1:8080', ws: true, changeOrigin: true },
    },
  },
});
