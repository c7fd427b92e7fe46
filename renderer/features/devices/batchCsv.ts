// The batch-registration file as the user sees it before upload, and the per-row results as a CSV to keep.
import type { BatchTask } from '../../../core/contract/index.js';

/** Device rows in a `nodeId[,secret[,name]]` file: non-blank lines, without a `nodeId` header line. */
export function countDeviceRows(text: string): number {
  let rows = 0;
  let first = true;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (first && /^\s*"?nodeid"?\s*(,|$)/i.test(line)) {
      first = false;
      continue;
    }
    first = false;
    rows++;
  }
  return rows;
}

const field = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** line, nodeId, result, deviceId, error code, error message — one line per row of the task. */
export function batchResultsCsv(rows: BatchTask['rows']): string {
  const lines = ['line,nodeId,result,deviceId,errorCode,errorMessage'];
  for (const r of rows)
    lines.push(
      [String(r.line), r.nodeId, r.ok ? 'ok' : 'failed', r.deviceId ?? '', r.error?.code ?? '', r.error?.message ?? '']
        .map(field)
        .join(','),
    );
  return `${lines.join('\r\n')}\r\n`;
}
