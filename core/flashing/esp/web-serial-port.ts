// A `serialport` device presented as a Web Serial `SerialPort` (what esptool-js's Transport drives), so the
// desktop and the headless workbench flash through Espressif's own code. Only what Transport calls is here.
import { SerialPort } from 'serialport';

export interface WebSerialOpenOptions {
  baudRate: number;
  dataBits?: number;
  stopBits?: number;
  parity?: 'none' | 'even' | 'odd';
  flowControl?: 'none' | 'hardware';
  bufferSize?: number;
}

export interface WebSerialSignals {
  dataTerminalReady?: boolean;
  requestToSend?: boolean;
  break?: boolean;
}

/** The port went away while open (unplugged): Web Serial reports a NetworkError DOMException. */
export class PortLostError extends Error {
  constructor(
    readonly path: string,
    cause?: Error,
  ) {
    super(`${path} went away (${cause?.message ?? 'the device was disconnected'})`);
    this.name = 'PortLostError';
  }
}

export class NodeWebSerialPort {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  private port: SerialPort | undefined;
  private closing = false;
  /** A pty or an adapter without modem lines: RTS/DTR writes are accepted and do nothing. */
  signalsUnsupported = false;
  private readonly lostListeners = new Set<(error: PortLostError) => void>();
  private tail = '';
  private readonly pendingWrites = new Set<(error: Error) => void>();

  constructor(
    readonly path: string,
    private readonly info: { usbVendorId?: number; usbProductId?: number } = {},
  ) {}

  /** The last bytes received, as text: a boot log tells why a sync failed. */
  recentText(): string {
    return this.tail;
  }

  getInfo(): { usbVendorId?: number; usbProductId?: number } {
    return this.info;
  }

  onLost(listener: (error: PortLostError) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  async open(options: WebSerialOpenOptions): Promise<void> {
    if (this.port?.isOpen) throw new DOMException(`${this.path} is already open`, 'InvalidStateError');
    const port = new SerialPort({
      path: this.path,
      baudRate: options.baudRate,
      dataBits: (options.dataBits ?? 8) as 5 | 6 | 7 | 8,
      stopBits: (options.stopBits ?? 1) as 1 | 2,
      parity: options.parity ?? 'none',
      rtscts: options.flowControl === 'hardware',
      autoOpen: false,
      lock: true,
    });
    await new Promise<void>((resolve, reject) =>
      port.open((error) => (error ? reject(new DOMException(error.message, 'NetworkError')) : resolve())),
    );
    this.port = port;
    this.closing = false;
    this.attachStreams(port);
  }

  private attachStreams(port: SerialPort): void {
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const onData = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString('latin1')).slice(-2048);
      controller?.enqueue(new Uint8Array(chunk));
    };
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        port.on('data', onData);
      },
      cancel: () => {
        port.off('data', onData);
        controller = undefined;
      },
    });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) =>
        new Promise<void>((resolve, reject) => {
          if (!port.isOpen) {
            reject(new DOMException(`${this.path} is not open`, 'NetworkError'));
            return;
          }
          // A write to a vanished device may never call back: losing the port rejects it.
          const fail = (error: Error): void => reject(new DOMException(error.message, 'NetworkError'));
          this.pendingWrites.add(fail);
          port.write(Buffer.from(chunk), (error) => {
            if (error) {
              this.pendingWrites.delete(fail);
              fail(error);
            } else
              port.drain((e) => {
                this.pendingWrites.delete(fail);
                if (e) fail(e);
                else resolve();
              });
          });
        }),
    });
    const lost = (error?: Error | null): void => {
      if (this.closing || this.port !== port) return;
      this.port = undefined;
      const lostError = new PortLostError(this.path, error ?? undefined);
      try {
        controller?.error(new DOMException(lostError.message, 'NetworkError'));
      } catch {
        // the stream was already cancelled
      }
      controller = undefined;
      for (const fail of [...this.pendingWrites]) fail(lostError);
      this.pendingWrites.clear();
      for (const l of [...this.lostListeners]) l(lostError);
    };
    port.on('close', lost);
    port.on('error', (error: Error) => {
      lost(error);
      if (port.isOpen) port.close(() => undefined);
    });
  }

  async setSignals(signals: WebSerialSignals): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) throw new DOMException(`${this.path} is not open`, 'InvalidStateError');
    const set: { dtr?: boolean; rts?: boolean; brk?: boolean } = {};
    if (signals.dataTerminalReady !== undefined) set.dtr = signals.dataTerminalReady;
    if (signals.requestToSend !== undefined) set.rts = signals.requestToSend;
    if (signals.break !== undefined) set.brk = signals.break;
    await new Promise<void>((resolve, reject) =>
      port.set(set, (error) => {
        // ENOTTY: a pseudo-terminal has no modem lines, like a USB adapter whose RTS/DTR are not wired.
        if (error && /Inappropriate ioctl/i.test(error.message)) {
          this.signalsUnsupported = true;
          resolve();
        } else if (error) reject(new DOMException(error.message, 'NetworkError'));
        else resolve();
      }),
    );
  }

  /** esptool-js changes the baud rate in place when the port offers this (no close/reopen, no board reset). */
  async setBaudRate(baudRate: number): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) throw new DOMException(`${this.path} is not open`, 'InvalidStateError');
    await new Promise<void>((resolve, reject) =>
      port.update({ baudRate }, (error) => (error ? reject(error) : resolve())),
    );
  }

  async close(): Promise<void> {
    const port = this.port;
    this.closing = true;
    this.port = undefined;
    this.readable = null;
    this.writable = null;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
