// Runs `iotwb serve --json` as a child process, as a user or a CI script would, and reads its ready line.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const iotwbBin = fileURLToPath(new URL('../../core/bin/iotwb.mjs', import.meta.url));

export const readyLineSchema = z.object({
  event: z.literal('ready'),
  ui: z.string().url(),
  api: z.string().url(),
  token: z.string().min(16),
  dataDir: z.string(),
  ports: z.object({
    api: z.number().int().positive(),
    mqtt: z.number().int().positive(),
    coap: z.number().int().positive(),
    northbound: z.number().int().positive(),
    /** The upgrade download port MQTT devices fetch packages from (core/ota). */
    'ota-http': z.number().int().positive(),
    /** Agent-Lite-style bind (core/gateways). */
    bind: z.number().int().positive(),
  }),
});
export type ReadyLine = z.infer<typeof readyLineSchema>;

export interface ServeProcess {
  child: ChildProcess;
  ready: ReadyLine;
  /** Every stdout line so far (with --json: exactly the ready line). */
  stdoutLines: string[];
  stderr(): string;
  /** Sends a signal and resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

export function runIotwb(args: string[]): ChildProcess {
  return spawn(process.execPath, [iotwbBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startServe(dataDir: string, extraArgs: string[] = []): Promise<ServeProcess> {
  const child = runIotwb([
    'serve',
    '--json',
    '--api-port',
    '0',
    '--mqtt-port',
    '0',
    '--coap-port',
    '0',
    '--northbound-port',
    '0',
    '--bind',
    '127.0.0.1',
    '--data-dir',
    dataDir,
    ...extraArgs,
  ]);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const stdoutLines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      stdoutLines.push(line);
      if (stdoutLines.length === 1) {
        try {
          resolve(readyLineSchema.parse(JSON.parse(line)));
        } catch (error) {
          reject(new Error(`first stdout line is not the ready line: ${line}\n${String(error)}`));
        }
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code} before ready: ${stderr}`)));
  });
  return {
    child,
    ready,
    stdoutLines,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      const started = Date.now();
      child.kill(signal);
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
}
