// Runs the real curl binary, as an application server's operator would, and reads the status line it writes last.
import { spawn } from 'node:child_process';

export interface CurlResult {
  /** curl's exit code: 0 when the HTTP exchange happened (whatever the status), else a transport failure. */
  exitCode: number | null;
  /** The HTTP status, 0 when there was no response. */
  status: number;
  body: string;
  stderr: string;
}

const STATUS_MARK = '\n@@status=';

export function curl(args: readonly string[]): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '--max-time', '15', '-w', `${STATUS_MARK}%{http_code}`, ...args]);
    let out = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const at = out.lastIndexOf(STATUS_MARK);
      const status = at < 0 ? 0 : Number(out.slice(at + STATUS_MARK.length)) || 0;
      resolve({ exitCode, status, body: at < 0 ? out : out.slice(0, at), stderr });
    });
  });
}

/** The JSON body of a response (undefined for an empty one). */
export function curlJson(result: CurlResult): Record<string, unknown> | undefined {
  return result.body === '' ? undefined : (JSON.parse(result.body) as Record<string, unknown>);
}
