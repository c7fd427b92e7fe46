// Reads a device's radio coverage from the LwM2M Connectivity Monitoring object (/4/0: 2 RSRP, 3 SINR, 8 cell id).
import type { CoverageLevel } from '../contract/ota.js';
import type { Lwm2mOperationResult } from '../contract/lwm2m.js';
import type { Lwm2mServer } from '../device-link/index.js';
import { coverageLevelOf } from './coverage.js';

export interface Coverage {
  cellId: string | undefined;
  level: CoverageLevel;
  text: string;
}

const valueAt = (r: Lwm2mOperationResult | undefined, path: string) =>
  r?.ok ? r.values?.find((v) => v.path === path || v.path === `${path}/0`)?.value : undefined;

const attempt = (p: Promise<Lwm2mOperationResult>) => p.catch(() => undefined);

export async function readCoverage(server: Lwm2mServer, deviceId: string, timeoutMs: number): Promise<Coverage> {
  const all = await attempt(server.read(deviceId, '/4/0', { timeoutMs }));
  let cell = valueAt(all, '/4/0/8');
  const rsrp = valueAt(all, '/4/0/2');
  const sinr = valueAt(all, '/4/0/3');
  if (cell === undefined) cell = valueAt(await attempt(server.read(deviceId, '/4/0/8', { timeoutMs })), '/4/0/8');
  const cellId = cell === undefined || cell === '' ? undefined : String(cell);
  if (typeof rsrp !== 'number' || typeof sinr !== 'number') {
    return { cellId, level: 'unknown', text: `coverage query failed; cell ${cellId ?? 'unknown'}` };
  }
  const level = coverageLevelOf(rsrp, sinr);
  return { cellId, level, text: `RSRP ${rsrp} dBm, SINR ${sinr} dB: level ${level}, cell ${cellId ?? 'unknown'}` };
}
