// `iotwb simulate --ota-fault FAULT[,FAULT…][@WHO]` (repeatable): upgrade faults for consecutive devices of the
// fleet, flag after flag, in the body the simulators take (`otaFaults`). WHO is a device count (`@2`) or a share of
// the fleet (`@5%`); without it the faults apply to every device left.
import { simOtaFaultsSchema, type SimOtaFaults } from '../contract/simulator-lwm2m.js';
import type { OtaFaultGroup } from './ota-fault-groups.js';

export const otaFaultUsage = `  --ota-fault F[@WHO] upgrade faults (repeatable; each flag takes the next devices of the fleet, in order).
                     F is one or more of, joined by commas:
                       already-latest | busy | low-battery | check-failed | install-failed
                       drop-shard=N        shard (PCP) / block (FOTA) / KiB (MQTT download) N never arrives
                       offline-at-shard=N  the device goes offline there (LwM2M: until coverage is regained;
                                           MQTT: 30 s), then resumes from what it holds
                       rsrp=DBM | sinr=DB | cell=ID | cell=unknown | rsrp=unknown   radio (LwM2M only)
                     WHO is a number of devices (@2) or a share of the fleet (@5%); default: all the others.
                     e.g. --ota-fault already-latest@2 --ota-fault drop-shard=37@2 --ota-fault low-battery@5%`;

const flagFaults: Record<string, keyof SimOtaFaults> = {
  'already-latest': 'alreadyLatest',
  busy: 'busy',
  'low-battery': 'lowBattery',
  'check-failed': 'checkFailed',
  'install-failed': 'installFailed',
};
const valueFaults: Record<string, 'dropShard' | 'offlineAtShard' | 'rsrpDbm' | 'sinrDb' | 'cellId'> = {
  'drop-shard': 'dropShard',
  'offline-at-shard': 'offlineAtShard',
  rsrp: 'rsrpDbm',
  sinr: 'sinrDb',
  cell: 'cellId',
};
const radio = new Set(['rsrp', 'sinr', 'cell']);

/** The fault groups of the flags, or the first problem in words naming the flag. */
export function parseOtaFaultFlags(
  flags: readonly string[],
  protocol: 'mqtt' | 'lwm2m',
  fleetSize: number,
): { groups: OtaFaultGroup[] } | { error: string } {
  const groups: OtaFaultGroup[] = [];
  for (const flag of flags) {
    const problem = (why: string) => ({ error: `--ota-fault ${flag}: ${why}` });
    const at = flag.lastIndexOf('@');
    const [what, who] = at < 0 ? [flag, undefined] : [flag.slice(0, at), flag.slice(at + 1)];
    let selection: { count?: number; share?: number } = {};
    if (who !== undefined) {
      const m = /^(\d{1,5}(?:\.\d+)?)(%?)$/.exec(who);
      if (!m) return problem(`@${who} is not a device count (@2) or a share (@5%)`);
      const n = Number(m[1]);
      if (m[2] === '%') {
        if (n > 100) return problem(`@${who} is more than the whole fleet`);
        selection = { share: n / 100 };
      } else {
        if (!Number.isInteger(n)) return problem(`@${who} is not a whole number of devices`);
        selection = { count: n };
      }
    }
    const faults: Record<string, unknown> = {};
    for (const part of what.split(',')) {
      const [name = '', value] = part.split('=', 2) as [string, string | undefined];
      if (flagFaults[name]) {
        if (value !== undefined) return problem(`${name} takes no value`);
        faults[flagFaults[name]] = true;
        continue;
      }
      const key = valueFaults[name];
      if (!key) return problem(`unknown fault "${name}"`);
      if (radio.has(name) && protocol === 'mqtt') return problem(`${name} is radio: LwM2M devices only`);
      if (value === undefined || value === '') return problem(`${name} needs a value (${name}=N)`);
      if (value === 'unknown' && (name === 'cell' || name === 'rsrp')) {
        faults[key] = null;
        continue;
      }
      const n = Number(value);
      if (!/^-?\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) return problem(`${name}=${value} is not a number`);
      faults[key] = n;
    }
    const parsed = simOtaFaultsSchema.safeParse(faults);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return problem(`${String(issue?.path[0] ?? '')} ${issue?.message ?? 'is not valid'}`.trim());
    }
    groups.push({ ...selection, faults: parsed.data });
  }
  // A flag without @WHO takes every device left.
  return {
    groups: groups.map((g) => (g.count === undefined && g.share === undefined ? { ...g, count: fleetSize } : g)),
  };
}
