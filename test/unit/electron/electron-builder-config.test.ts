import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

// js-yaml comes in with electron-builder (app-builder-lib depends on it); it is not a direct dependency.
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const root = new URL('../../../', import.meta.url);

const config = yaml.load(readFileSync(new URL('electron-builder.yml', root), 'utf8')) as Record<string, unknown> & {
  electronFuses: Record<string, boolean>;
  files: string[];
  asarUnpack: string[];
  linux: { target: string[]; category: string; maintainer: string };
  directories: Record<string, string>;
};

describe('electron-builder.yml', () => {
  it('validates against the app-builder-lib schema', () => {
    const schema = JSON.parse(
      readFileSync(new URL('node_modules/app-builder-lib/scheme.json', root), 'utf8'),
    ) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const valid = validate(config);
    expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('identifies the app and keeps packaging art out of the runtime resources', () => {
    expect(config.appId).toBe('com.iotworkbench.app');
    expect(config.productName).toBe('IoT Workbench');
    expect(config.directories).toEqual({ output: 'release', buildResources: 'resources/build' });
    expect(config.files).toEqual(
      expect.arrayContaining(['package.json', 'dist/electron/**', 'dist/renderer/**', 'resources/**']),
    );
    expect(config.files.some((pattern) => pattern.startsWith('!resources/build'))).toBe(true);
  });

  it('ships the bundle the package.json main points at', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/electron/main.js');
  });

  it('packs into asar, unpacking native modules', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/*.node', 'node_modules/better-sqlite3/**']));
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(false);
  });

  it('burns the hardening fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('builds AppImage and deb on Linux, nsis on Windows, dmg on macOS', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Development');
    expect(config.linux.maintainer).toMatch(/<.+@.+>/);
    expect(config.win).toMatchObject({ target: ['nsis'] });
    expect(config.mac).toMatchObject({ target: ['dmg'] });
  });

  it('has the icon electron-builder looks for in buildResources', () => {
    const png = readFileSync(new URL('resources/build/icon.png', root));
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
  });
});
