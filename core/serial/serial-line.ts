// An open serial device behind a small interface, so sessions and the module emulator do not depend on `serialport`.
import { SerialPort } from 'serialport';
import type { SerialOpenSettings } from '../contract/serial.js';

export interface SerialLine {
  write(bytes: Uint8Array): Promise<void>;
  setSignals(signals: { rts?: boolean; dtr?: boolean }): Promise<void>;
  close(): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): void;
  /** Called once when the line closes; `error` set when it was not closed by us (device vanished). */
  onClose(listener: (error?: Error) => void): void;
}

export type SerialLineSettings = Pick<
  SerialOpenSettings,
  'path' | 'baudRate' | 'dataBits' | 'parity' | 'stopBits' | 'flowControl'
>;

export type OpenSerialLine = (settings: SerialLineSettings) => Promise<SerialLine>;

export const openSerialLine: OpenSerialLine = (settings) =>
  new Promise((resolve, reject) => {
    const port = new SerialPort({
      path: settings.path,
      baudRate: settings.baudRate,
      dataBits: settings.dataBits,
      parity: settings.parity,
      stopBits: settings.stopBits,
      rtscts: settings.flowControl === 'rtscts',
      xon: settings.flowControl === 'xonxoff',
      xoff: settings.flowControl === 'xonxoff',
      autoOpen: false,
      lock: true,
    });
    port.open((error) => {
      if (error) {
        reject(error);
        return;
      }
      let closedByUs = false;
      let closeListener: ((error?: Error) => void) | undefined;
      let closed = false;
      const finish = (error?: Error): void => {
        if (closed) return;
        closed = true;
        closeListener?.(closedByUs ? undefined : (error ?? new Error('the port closed')));
      };
      port.on('close', (err: Error | null) => finish(err ?? undefined));
      // Errors after open come with or before a close; an error alone (read failure) ends the line too.
      port.on('error', (err: Error) => {
        finish(err);
        if (port.isOpen) port.close(() => undefined);
      });
      resolve({
        write: (bytes) =>
          new Promise((res, rej) => {
            port.write(Buffer.from(bytes), (err) => (err ? rej(err) : port.drain((e) => (e ? rej(e) : res()))));
          }),
        setSignals: (signals) => new Promise((res, rej) => port.set(signals, (err) => (err ? rej(err) : res()))),
        close: () =>
          new Promise((res) => {
            closedByUs = true;
            if (!port.isOpen) {
              finish();
              res();
              return;
            }
            port.close(() => {
              finish();
              res();
            });
          }),
        onData: (listener) => port.on('data', (chunk: Buffer) => listener(new Uint8Array(chunk))),
        onClose: (listener) => {
          closeListener = listener;
        },
      });
    });
  });
