// Builds the Electron side into dist/electron; `--mode main|preload|core-host|codec-worker` picks one bundle.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { defineConfig, type UserConfig } from 'vite';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  dependencies?: Record<string, string>;
};
const runtimeDependencies = Object.keys(pkg.dependencies ?? {});
const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

function isElectron(id: string): boolean {
  return id === 'electron' || id.startsWith('electron/');
}

function isPackage(id: string, name: string): boolean {
  return id === name || id.startsWith(`${name}/`);
}

/** Node processes load builtins, electron and the installed runtime dependencies at run time. */
function isNodeExternal(id: string): boolean {
  return isElectron(id) || nodeBuiltins.has(id) || runtimeDependencies.some((name) => isPackage(id, name));
}

interface Bundle {
  entry: string;
  fileName: string;
  format: 'es' | 'cjs';
  external: (id: string) => boolean;
}

const bundles: Record<string, Bundle> = {
  main: { entry: 'electron/main.ts', fileName: 'main.js', format: 'es', external: isNodeExternal },
  // Sandboxed preloads run as CommonJS and may require nothing but electron: bundle everything else.
  preload: { entry: 'electron/preload.ts', fileName: 'preload.cjs', format: 'cjs', external: isElectron },
  'core-host': {
    entry: 'electron/core-process.ts',
    fileName: 'core-process.js',
    format: 'es',
    external: isNodeExternal,
  },
  // Codec scripts run on worker threads; the core process starts this file from next to core-process.js.
  'codec-worker': {
    entry: 'core/codecs/script-worker.ts',
    fileName: 'codec-script-worker.js',
    format: 'es',
    external: isNodeExternal,
  },
};

export default defineConfig(({ mode }): UserConfig => {
  const bundle = bundles[mode];
  if (!bundle) {
    throw new Error(`vite.electron.config.ts: --mode must be one of ${Object.keys(bundles).join(', ')}, got "${mode}"`);
  }
  return {
    publicDir: false,
    ssr: { target: 'node', noExternal: true },
    build: {
      ssr: bundle.entry,
      outDir: 'dist/electron',
      // Several builds share the folder; none may wipe the others.
      emptyOutDir: false,
      target: 'node20',
      sourcemap: true,
      minify: false,
      reportCompressedSize: false,
      rolldownOptions: {
        external: bundle.external,
        output: {
          format: bundle.format,
          entryFileNames: bundle.fileName,
          // One file per process, so the loader never has to find a sibling chunk.
          codeSplitting: false,
        },
      },
    },
  };
});
