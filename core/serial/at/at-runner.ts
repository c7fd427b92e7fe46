// Sends AT commands over a session one at a time and collects each response until its final code or a timeout.
import type { Clock } from '../../clock.js';
import type { AtResult } from '../../contract/serial.js';
import { AtLineSplitter } from './at-lines.js';
import { createAtCollector } from './at-response.js';
import { parseAtFields } from './command-library.js';

export interface AtTransport {
  onData(listener: (bytes: Uint8Array) => void): () => void;
  write(bytes: Uint8Array, historyLine?: string): Promise<void>;
}

export const DEFAULT_AT_TIMEOUT_MS = 5000;

export class AtRunner {
  private queue: Promise<unknown> = Promise.resolve();
  /** URCs that arrived while no command was running (shown in the console). */
  readonly idleUrcs: string[] = [];

  constructor(
    private readonly transport: AtTransport,
    private readonly clock: Clock,
  ) {}

  run(command: string, timeoutMs = DEFAULT_AT_TIMEOUT_MS): Promise<AtResult> {
    const next = this.queue.then(() => this.runNow(command.trim(), timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private runNow(command: string, timeoutMs: number): Promise<AtResult> {
    const started = this.clock.now();
    const collector = createAtCollector(command);
    const splitter = new AtLineSplitter();
    return new Promise<AtResult>((resolve, reject) => {
      let done = false;
      const finish = (timedOut: boolean): void => {
        if (done) return;
        done = true;
        timer.cancel();
        unsubscribe();
        const got = collector.result();
        const result: AtResult = {
          command,
          final: timedOut ? 'timeout' : (got.final ?? 'timeout'),
          lines: got.lines,
          urcs: got.urcs,
          durationMs: this.clock.now() - started,
          ...(got.cmeError !== undefined ? { cmeError: got.cmeError } : {}),
        };
        if (result.final === 'ok') Object.assign(result, parseAtFields(command, got.lines));
        resolve(result);
      };
      const unsubscribe = this.transport.onData((bytes) => {
        for (const line of splitter.push(bytes)) {
          if (collector.push(line).final) finish(false);
        }
      });
      const timer = this.clock.setTimeout(() => finish(true), timeoutMs);
      this.transport.write(Buffer.from(`${command}\r\n`, 'latin1'), command).catch((error: unknown) => {
        if (done) return;
        done = true;
        timer.cancel();
        unsubscribe();
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }
}
