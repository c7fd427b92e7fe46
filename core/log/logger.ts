// Structured logs: pino to a rotated file in the data folder, the last lines kept for the UI and the bus.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pinoRoll from 'pino-roll';
import type { LogEntry } from '../contract/platform.js';
import type { LogLevel } from '../config.js';

export type { Logger };

const LEVEL_NAMES: Record<number, LogEntry['level']> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
export const LEVEL_VALUES: Record<LogEntry['level'], number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

/** Bounded memory of the latest log lines, so a chatty core never grows without limit. */
export class RecentLogs {
  private readonly entries: LogEntry[] = [];
  private seq = 0;
  constructor(private readonly capacity = 2000) {}

  add(entry: Omit<LogEntry, 'seq'>): LogEntry {
    const full = { ...entry, seq: ++this.seq };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return full;
  }

  latest(limit: number, minLevel: LogEntry['level'] = 'trace'): LogEntry[] {
    const min = LEVEL_VALUES[minLevel];
    return this.entries.filter((e) => LEVEL_VALUES[e.level] >= min).slice(-limit);
  }
}

interface PinoLine {
  level?: number;
  time?: number;
  msg?: string;
  source?: string;
  err?: { message?: string };
}

function toEntry(line: string): Omit<LogEntry, 'seq'> | undefined {
  try {
    const parsed = JSON.parse(line) as PinoLine;
    const message =
      parsed.err?.message && parsed.msg !== parsed.err.message
        ? `${parsed.msg ?? ''}: ${parsed.err.message}`
        : (parsed.msg ?? '');
    return {
      time: parsed.time ?? Date.now(),
      level: LEVEL_NAMES[parsed.level ?? 30] ?? 'info',
      source: parsed.source ?? 'core',
      message,
    };
  } catch {
    return undefined;
  }
}

export interface WorkbenchLogger {
  logger: Logger;
  recent: RecentLogs;
  /** The file being written now (a link to the newest rotated file). */
  file: string;
  close(): Promise<void>;
}

export async function createWorkbenchLogger(options: {
  dataDir: string;
  level: LogLevel;
  toStdout: boolean;
  onEntry: (entry: LogEntry) => void;
}): Promise<WorkbenchLogger> {
  const dir = join(options.dataDir, 'logs');
  mkdirSync(dir, { recursive: true });
  const fileStream = await pinoRoll({
    file: join(dir, 'workbench'),
    extension: '.log',
    size: '10m',
    limit: { count: 5 },
    symlink: true,
    mkdir: true,
  });
  // A log file that cannot be written must not take the core down; say so once on stderr.
  let fileErrorReported = false;
  fileStream.on('error', (error: Error) => {
    if (fileErrorReported) return;
    fileErrorReported = true;
    process.stderr.write(`IoT Workbench: cannot write the log file in ${dir}: ${error.message}\n`);
  });
  if (fileStream.fd < 0) await once(fileStream, 'ready');
  const recent = new RecentLogs();
  const memoryStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        const entry = toEntry(line);
        if (entry) options.onEntry(recent.add(entry));
      }
      done();
    },
  });
  const streams: pino.StreamEntry[] = [
    { stream: fileStream, level: options.level },
    { stream: memoryStream, level: options.level },
  ];
  if (options.toStdout) streams.push({ stream: process.stderr, level: options.level });
  const logger = pino({ level: options.level, base: { source: 'core' } }, pino.multistream(streams));

  return {
    logger,
    recent,
    file: join(dir, 'current.log'),
    async close() {
      if (fileStream.destroyed) return;
      const closed = once(fileStream, 'close');
      fileStream.end();
      await closed;
    },
  };
}
