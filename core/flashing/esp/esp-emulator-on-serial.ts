// Runs the ESP bootloader emulator on a serial device (one end of a socat pty pair, or a USB adapter).
import { openSerialLine, type OpenSerialLine } from '../../serial/serial-line.js';
import { EspRomEmulator, type EspEmulatorOptions } from './esp-rom-emulator.js';

export interface RunningEspEmulator {
  emulator: EspRomEmulator;
  stop(): Promise<void>;
  /** Resolves when the line closes (the pty went away). */
  closed: Promise<void>;
}

export async function runEspEmulatorOnSerial(
  path: string,
  options: EspEmulatorOptions,
  openLine: OpenSerialLine = openSerialLine,
): Promise<RunningEspEmulator> {
  const line = await openLine({ path, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' });
  const emulator = new EspRomEmulator(options, (bytes) => void line.write(bytes).catch(() => undefined));
  line.onData((bytes) => emulator.receive(bytes));
  const closed = new Promise<void>((resolve) => line.onClose(() => resolve()));
  return { emulator, closed, stop: () => line.close() };
}
