// Lists serial ports with USB details, and watches the list (plug/unplug) by polling through the clock.
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { SerialPortInfo } from '../contract/serial.js';
import type { Clock, TimerHandle } from '../clock.js';

export interface PortListing {
  ports: SerialPortInfo[];
  listError?: string;
}

export type ListSerialPorts = () => Promise<PortListing>;

const UDEVADM_PATHS = ['/usr/bin/udevadm', '/bin/udevadm', '/sbin/udevadm', '/usr/sbin/udevadm'];

/** `serialport` on Linux shells out to udevadm and can crash the process without it, so check first. */
export const listSystemSerialPorts: ListSerialPorts = () => listSerialPortsWith(UDEVADM_PATHS);

export async function listSerialPortsWith(udevadmPaths: readonly string[]): Promise<PortListing> {
  if (process.platform === 'linux' && !udevadmPaths.some((p) => existsSync(p))) {
    return {
      ports: [],
      listError: 'Cannot list serial ports: udevadm was not found. Install the "udev" package (apt-get install udev).',
    };
  }
  try {
    const found = await SerialPort.list();
    return {
      ports: found.map((p) => ({
        path: p.path,
        ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
        ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
        ...(p.vendorId ? { vendorId: p.vendorId } : {}),
        ...(p.productId ? { productId: p.productId } : {}),
        ...(p.pnpId ? { pnpId: p.pnpId } : {}),
      })),
    };
  } catch (error) {
    return {
      ports: [],
      listError: `Cannot list serial ports: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Polls the list every `everyMs` and calls `onChange` when the set of ports differs. */
export function watchPortList(
  list: ListSerialPorts,
  clock: Clock,
  onChange: (listing: PortListing) => void,
  everyMs = 2000,
): { latest(): PortListing | undefined; refresh(): Promise<PortListing>; stop(): void } {
  let latest: PortListing | undefined;
  let key = '';
  let inFlight: Promise<PortListing> | undefined;
  const refresh = (): Promise<PortListing> => {
    inFlight ??= list()
      .then((listing) => {
        const next = JSON.stringify(listing);
        const changed = latest !== undefined && next !== key;
        latest = listing;
        key = next;
        if (changed) onChange(listing);
        return listing;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  const timer: TimerHandle = clock.setInterval(() => void refresh(), everyMs);
  return { latest: () => latest, refresh, stop: () => timer.cancel() };
}
