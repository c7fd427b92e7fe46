// A pseudo-terminal pair made by Debian's socat (`pty,raw,echo=0`): two device paths wired to each other.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface PtyPair {
  /** The end the host/terminal opens. */
  hostPath: string;
  /** The end the device (module emulator) opens. */
  devicePath: string;
  /** Kills socat; both ends vanish. */
  close(): Promise<void>;
}

export function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

export async function createPtyPair(dir: string, waitMs = 5000): Promise<PtyPair> {
  mkdirSync(dir, { recursive: true });
  const hostPath = join(dir, 'ttyHost');
  const devicePath = join(dir, 'ttyDevice');
  const child: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${hostPath}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const deadline = Date.now() + waitMs;
  // Polling the links is I/O readiness, not a workbench timer, so it uses real time.
  while (!(existsSync(hostPath) && existsSync(devicePath))) {
    if (spawnError || child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`socat did not create a pty pair: ${spawnError?.message ?? (stderr.trim() || 'timed out')}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    hostPath,
    devicePath,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
