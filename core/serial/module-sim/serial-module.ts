// Runs a module emulator on a serial device: bytes from the line go in, its answers go out.
import type { Clock } from '../../clock.js';
import { openSerialLine, type OpenSerialLine } from '../serial-line.js';
import { createLwM2mUdpClient } from './lwm2m-udp-client.js';
import { ModuleEmulator, type ModuleEmulatorOptions } from './module-emulator.js';

export interface RunningSerialModule {
  emulator: ModuleEmulator;
  /** Resolves when the line closes (stop() or the device vanished). */
  closed: Promise<void>;
  stop(): Promise<void>;
}

export async function runModuleOnSerial(
  path: string,
  options: Omit<ModuleEmulatorOptions, 'clock'> & { clock: Clock; baudRate?: number },
  openLine: OpenSerialLine = openSerialLine,
): Promise<RunningSerialModule> {
  const line = await openLine({
    path,
    baudRate: options.baudRate ?? 9600,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    flowControl: 'none',
  });
  // The module talks LwM2M over UDP to whatever AT+NCDP names, unless the caller plugs in its own client.
  const lwm2m = options.lwm2m ?? createLwM2mUdpClient({ clock: options.clock });
  const emulator = new ModuleEmulator({ ...options, lwm2m });
  const closed = new Promise<void>((resolve) => line.onClose(() => resolve()));
  emulator.onOutput((bytes) => void line.write(bytes).catch(() => undefined));
  line.onData((bytes) => emulator.receive(bytes));
  return {
    emulator,
    closed,
    stop: async () => {
      await line.close();
      await lwm2m.close();
    },
  };
}
