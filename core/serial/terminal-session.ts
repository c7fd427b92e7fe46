// A terminal session: owns one port, streams bytes to the bus in batches, buffers, logs, reconnects when asked.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBus } from '../bus/event-bus.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { SerialOpenSettings, SerialSession, SerialSessionStatus } from '../contract/serial.js';
import { ByteRing } from './byte-ring.js';
import type { PortOwner, PortRegistry } from './port-registry.js';
import type { OpenSerialLine, SerialLine } from './serial-line.js';
import { LogFormatter, SessionLogFile } from './session-log.js';

export interface TerminalSessionDeps {
  bus: EventBus;
  clock: Clock;
  registry: PortRegistry;
  openLine: OpenSerialLine;
  dataDir: string;
  ringBytes?: number;
  /** Longest wait before received bytes are published. */
  batchMs?: number;
  reconnectEveryMs?: number;
}

const HISTORY_MAX = 200;

export class TerminalSession implements PortOwner {
  readonly name: string;
  private line: SerialLine | undefined;
  private status: SerialSessionStatus = 'closed';
  private statusMessage: string | undefined;
  private rts = true;
  private dtr = true;
  private bytesIn = 0;
  private bytesOut = 0;
  private readonly ring: ByteRing;
  private readonly history: string[] = [];
  private readonly listeners = new Set<(bytes: Uint8Array) => void>();
  private pending: { direction: 'in' | 'out'; parts: Uint8Array[] } | undefined;
  private flushTimer: TimerHandle | undefined;
  private reconnectTimer: TimerHandle | undefined;
  private logFile: SessionLogFile | undefined;
  private readonly logPath: string | undefined;
  readonly openedAt: number;

  constructor(
    readonly id: string,
    readonly settings: SerialOpenSettings,
    private readonly deps: TerminalSessionDeps,
  ) {
    this.name = `terminal ${id}`;
    this.ring = new ByteRing(deps.ringBytes ?? 1024 * 1024);
    this.openedAt = deps.clock.now();
    if (settings.logToFile) {
      const stamp = new Date(this.openedAt).toISOString().replace(/[:.]/g, '-');
      this.logFile = new SessionLogFile(join(deps.dataDir, 'serial-logs', `${stamp}-${id}.log`));
    }
    this.logPath = this.logFile?.path;
  }

  /** Acquires the port and opens it; throws PortBusyError or the open error. */
  async open(): Promise<void> {
    this.deps.registry.acquire(this.settings.path, this);
    try {
      await this.attach();
    } catch (error) {
      this.deps.registry.release(this.settings.path, this);
      throw error;
    }
  }

  private async attach(): Promise<void> {
    const line = await this.deps.openLine(this.settings);
    this.line = line;
    line.onData((bytes) => this.received(bytes));
    line.onClose((error) => {
      if (this.line !== line) return;
      this.line = undefined;
      if (error) this.vanished(error);
    });
    await line.setSignals({ rts: this.rts, dtr: this.dtr }).catch(() => undefined);
    this.setStatus('open', `opened ${this.settings.path} at ${this.settings.baudRate} baud`);
  }

  private vanished(error: Error): void {
    this.flush();
    if (this.settings.reconnect) {
      this.setStatus('reconnecting', `${this.settings.path} disappeared (${error.message}); waiting for it to return`);
      this.scheduleReconnect();
    } else {
      this.setStatus('closed', `${this.settings.path} disappeared (${error.message})`);
      this.deps.registry.release(this.settings.path, this);
    }
  }

  private scheduleReconnect(): void {
    this.reconnectTimer?.cancel();
    this.reconnectTimer = this.deps.clock.setInterval(() => {
      if (this.status !== 'reconnecting' || !existsSync(this.settings.path)) return;
      this.reconnectTimer?.cancel();
      this.attach().catch((err: unknown) => {
        this.statusMessage = `reopening ${this.settings.path} failed: ${err instanceof Error ? err.message : String(err)}`;
        this.scheduleReconnect();
      });
    }, this.deps.reconnectEveryMs ?? 1000);
  }

  private setStatus(status: SerialSessionStatus, message: string): void {
    this.status = status;
    this.statusMessage = message;
    this.deps.bus.publish('serial', { at: this.deps.clock.now(), kind: 'status', sessionId: this.id, status, message });
  }

  private received(bytes: Uint8Array): void {
    this.bytesIn += bytes.length;
    this.record('in', bytes);
    for (const l of [...this.listeners]) l(bytes);
  }

  private record(direction: 'in' | 'out', bytes: Uint8Array): void {
    const at = this.deps.clock.now();
    this.ring.push({ at, direction, bytes });
    this.logFile?.append(at, direction, bytes);
    if (this.pending && this.pending.direction !== direction) this.flush();
    this.pending ??= { direction, parts: [] };
    this.pending.parts.push(bytes);
    this.flushTimer ??= this.deps.clock.setTimeout(() => this.flush(), this.deps.batchMs ?? 30);
  }

  private flush(): void {
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    const base64 = Buffer.concat(pending.parts).toString('base64');
    const at = this.deps.clock.now();
    this.deps.bus.publish('serial', { at, kind: 'data', sessionId: this.id, direction: pending.direction, base64 });
    this.deps.bus.publish('frame', {
      at,
      direction: pending.direction,
      transport: 'serial',
      protocol: 'serial',
      local: `serial:${this.settings.path}`,
      peer: `serial:${this.settings.path}`,
      connectionId: `serial-${this.id}`,
      bytesBase64: base64,
    });
  }

  /** Receives every byte read from the port (the AT runner listens here). */
  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async write(bytes: Uint8Array, historyLine?: string): Promise<void> {
    if (!this.line || this.status !== 'open') {
      throw new Error(`session ${this.id} is ${this.status}: ${this.statusMessage ?? 'the port is not open'}`);
    }
    if (historyLine !== undefined && historyLine.length > 0 && this.history[this.history.length - 1] !== historyLine) {
      this.history.push(historyLine);
      if (this.history.length > HISTORY_MAX) this.history.shift();
    }
    await this.line.write(bytes);
    this.bytesOut += bytes.length;
    this.record('out', bytes);
  }

  async setSignals(signals: { rts?: boolean; dtr?: boolean }): Promise<void> {
    if (signals.rts !== undefined) this.rts = signals.rts;
    if (signals.dtr !== undefined) this.dtr = signals.dtr;
    await this.line?.setSignals({ rts: this.rts, dtr: this.dtr });
  }

  sentHistory(): readonly string[] {
    return this.history;
  }

  output(): ReturnType<ByteRing['snapshot']> {
    return this.ring.snapshot();
  }

  /** The buffered output as a timestamped text log (what "save log" downloads). */
  renderLog(): Buffer {
    const formatter = new LogFormatter();
    return Buffer.concat(this.ring.snapshot().chunks.map((c) => formatter.format(c.at, c.direction, c.bytes)));
  }

  describe(): SerialSession {
    return {
      id: this.id,
      settings: this.settings,
      status: this.status,
      ...(this.statusMessage ? { statusMessage: this.statusMessage } : {}),
      rts: this.rts,
      dtr: this.dtr,
      openedAt: this.openedAt,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      ...(this.logPath ? { logFile: this.logPath } : {}),
    };
  }

  async yieldPort(by?: string): Promise<void> {
    this.reconnectTimer?.cancel();
    const line = this.line;
    this.line = undefined;
    this.flush();
    await line?.close();
    this.setStatus(
      'taken-over',
      by ? `${by}: the terminal resumes afterwards` : `${this.settings.path} was taken over by another tool`,
    );
  }

  async resumePort(): Promise<void> {
    await this.attach();
  }

  async close(message = 'closed'): Promise<void> {
    this.reconnectTimer?.cancel();
    const line = this.line;
    this.line = undefined;
    this.flush();
    await line?.close();
    this.deps.registry.release(this.settings.path, this);
    await this.logFile?.close();
    this.logFile = undefined;
    this.listeners.clear();
    this.setStatus('closed', message);
  }
}
