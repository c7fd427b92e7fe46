// Runs a bootloader emulator (ESP or STM32) on a serial device: one end of a socat pty pair, or a USB adapter.
import { openSerialLine, type OpenSerialLine } from '../serial/index.js';

export interface ByteEmulator {
  receive(bytes: Uint8Array): void;
}

export interface RunningEmulator<E extends ByteEmulator> {
  emulator: E;
  stop(): Promise<void>;
  /** Resolves when the line closes (the pty went away). */
  closed: Promise<void>;
}

export async function runEmulatorOnSerial<E extends ByteEmulator>(
  path: string,
  create: (send: (bytes: Uint8Array) => void) => E,
  openLine: OpenSerialLine = openSerialLine,
): Promise<RunningEmulator<E>> {
  // A pty ignores parity, so 8N1 here serves both the 8N1 ESP loader and an 8E1 STM32 host.
  const line = await openLine({
    path,
    baudRate: 115200,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    flowControl: 'none',
  });
  const emulator = create((bytes) => void line.write(bytes).catch(() => undefined));
  line.onData((bytes) => emulator.receive(bytes));
  const closed = new Promise<void>((resolve) => line.onClose(() => resolve()));
  return { emulator, closed, stop: () => line.close() };
}
