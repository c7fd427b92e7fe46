// File sink: JSON lines appended to `<dir>/<name>.jsonl`, rotated to `<name>-<UTC time>.jsonl` by size or age.
import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../clock.js';
import type { TargetConfig } from '../../contract/rules.js';
import type { TargetClient } from './target-client.js';

type FileConfig = Extract<TargetConfig, { kind: 'file' }>;

const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d{3})Z$/, '$1Z');

/** `<base>.jsonl`, or `<base>-2.jsonl`, … when a file rotated in the same millisecond already has the name. */
async function freeName(dir: string, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const path = join(dir, n === 1 ? `${base}.jsonl` : `${base}-${n}.jsonl`);
    if (!(await stat(path).catch(() => undefined))) return path;
  }
}

export function createFileTarget(config: FileConfig & { dir: string }, baseName: string, clock: Clock): TargetClient {
  const current = join(config.dir, `${baseName}.jsonl`);
  let openedAt: number | undefined;
  let size = 0;
  let connected = false;

  const rotateIfDue = async () => {
    if (openedAt === undefined) {
      await mkdir(config.dir, { recursive: true });
      const existing = await stat(current).catch(() => undefined);
      size = existing?.size ?? 0;
      openedAt = existing ? Math.min(existing.birthtimeMs || existing.mtimeMs, clock.now()) : clock.now();
    }
    const now = clock.now();
    if (size > 0 && (size >= config.maxBytes || now - openedAt >= config.maxAgeMinutes * 60_000)) {
      await rename(current, await freeName(config.dir, `${baseName}-${stamp(now)}`));
      size = 0;
      openedAt = now;
    }
    if (size === 0) openedAt = now;
  };

  return {
    get connected() {
      return connected;
    },
    async send(messages) {
      try {
        await rotateIfDue();
        const text = messages.map((m) => `${JSON.stringify(m)}\n`).join('');
        await appendFile(current, text);
        size += Buffer.byteLength(text);
        connected = true;
      } catch (error) {
        connected = false;
        openedAt = undefined;
        throw error;
      }
    },
    close() {
      return Promise.resolve();
    },
  };
}
