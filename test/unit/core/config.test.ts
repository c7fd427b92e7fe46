import { describe, expect, it } from 'vitest';
import { defaultDataDir, parsePlatformConfig } from '../../../core/config.js';

describe('configuration', () => {
  it('puts the data folder in the per-user app-data folder of each OS', () => {
    expect(defaultDataDir('linux', {}, '/home/mei')).toBe('/home/mei/.config/IoT Workbench');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/mei')).toBe('/xdg/IoT Workbench');
    expect(defaultDataDir('darwin', {}, '/Users/mei')).toBe('/Users/mei/Library/Application Support/IoT Workbench');
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\mei\\AppData\\Roaming' }, 'C:\\Users\\mei')).toMatch(
      /AppData.Roaming.IoT Workbench$/,
    );
  });

  it('names the field at fault', () => {
    expect(() => parsePlatformConfig({ dataDir: '/tmp/x', mqttPort: 70000 })).toThrow(/mqttPort/);
    expect(() => parsePlatformConfig({ dataDir: '/tmp/x', token: 'short' })).toThrow(/token/);
  });

  it('leaves device ports open to the saved settings when not given', () => {
    const config = parsePlatformConfig({ dataDir: '/tmp/x' });
    expect(config.mqttPort).toBeUndefined();
    expect(config.apiPort).toBe(0);
    expect(config.logLevel).toBe('info');
  });
});
