// Runs a real program to its end, as a user at a shell would, and collects its exit code and output.
// Async on purpose: a core running in the test's own process must keep answering while the program talks to it.
import { spawn } from 'node:child_process';

export interface CommandResult {
  /** The exit code; null when a signal ended the program (so also when `timeoutMs` ran out). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunCommandOptions {
  /** Kills the program with SIGTERM after this long. */
  timeoutMs?: number;
  /** Written to its stdin, which is then closed (at once when there is no input). */
  input?: string | Buffer;
  /** Added to this process's environment. */
  env?: Record<string, string>;
}

export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A program that exits without reading its input is not an error of the run: its exit code tells.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  });
}
