// The HTTP download endpoint MQTT devices fetch their package from (on the device bind address): `GET
// /ota/<sub-task id>/<file>` with `Authorization: Bearer <access_token>`; `Range: bytes=N-` resumes a download.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { DownloadGrant } from './mqtt-ota-runner.js';

/** `bytes=N-` or `bytes=N-M` within the file; undefined for no header, 'bad' for one that cannot be served. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'bad' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d{1,15})-(\d{0,15})$/.exec(header.trim());
  if (!m) return 'bad';
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'bad';
  return { start, end };
}

export function createDownloadServer(grantOf: (subTaskId: string) => DownloadGrant | undefined): Server {
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const fail = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'GET only');
    const m = /^\/ota\/([A-Za-z0-9-]{1,64})\/([^/?]{1,255})$/.exec(req.url ?? '');
    const grant = m ? grantOf(m[1]!) : undefined;
    if (!m || !grant || decodeURIComponent(m[2]!) !== grant.fileName) return fail(404, 'no such download');
    if (req.headers.authorization !== `Bearer ${grant.token}`) return fail(401, 'missing or wrong access token');
    const size = grant.payload.length;
    const range = parseRange(req.headers.range, size);
    if (range === 'bad') {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      return res.end();
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    const body = Buffer.from(grant.payload.subarray(start, end + 1));
    res.writeHead(range ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === 'HEAD') return res.end();
    res.end(body, () => grant.onBytes(end + 1));
  };
  return createServer(handle);
}
