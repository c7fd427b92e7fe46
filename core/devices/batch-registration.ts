// Batch registration from CSV rows `nodeId[,secret[,name]]`: runs in chunks, reports progress on the bus `task` topic.
import { randomUUID } from 'node:crypto';
import { DomainError } from '../domain-error.js';
import type { EventBus } from '../bus/event-bus.js';
import type { Clock } from '../clock.js';
import type { BatchTask } from '../contract/devices.js';
import { parseCsv } from './csv.js';
import type { DeviceRegistry } from './device-registry.js';

const CHUNK_ROWS = 500;
const MAX_ROWS = 200_000;
const KEEP_TASKS = 20;

export class BatchRegistrations {
  private readonly tasks = new Map<string, BatchTask>();

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly onRegistered: () => void,
  ) {}

  /** `rows` picks the per-row results sent: a progress poll of a 100k-row file needs none of them. */
  get(taskId: string, rows: 'all' | 'failed' | 'none' = 'all'): BatchTask {
    const task = this.tasks.get(taskId);
    if (!task) throw new DomainError('TASK_NOT_FOUND', `no batch registration task ${taskId}`, 'params.taskId');
    if (rows === 'all') return task;
    return { ...task, rows: rows === 'none' ? [] : task.rows.filter((r) => !r.ok) };
  }

  /** Validates the file up front, then registers row by row in the background. */
  start(productId: string, csv: string): BatchTask {
    const parsed = parseCsv(csv);
    if (!parsed.ok) throw new DomainError(parsed.error.code, parsed.error.message, 'body.csv');
    let rows = parsed.rows;
    const first = rows[0]?.[0]?.trim().toLowerCase();
    const firstLine = first === 'nodeid' ? 2 : 1;
    if (first === 'nodeid') rows = rows.slice(1);
    if (rows.length === 0) throw new DomainError('CSV_EMPTY', 'the file has no device rows', 'body.csv');
    if (rows.length > MAX_ROWS)
      throw new DomainError('CSV_TOO_LARGE', `at most ${MAX_ROWS} rows per batch (found ${rows.length})`, 'body.csv');
    this.registry.requireProduct(productId);
    const task: BatchTask = {
      taskId: randomUUID(),
      productId,
      status: 'running',
      total: rows.length,
      processed: 0,
      succeeded: 0,
      failed: 0,
      rows: [],
    };
    this.tasks.set(task.taskId, task);
    for (const id of [...this.tasks.keys()].slice(0, Math.max(0, this.tasks.size - KEEP_TASKS))) this.tasks.delete(id);

    const step = (offset: number) => {
      this.registry.transaction(() => {
        for (const [i, cells] of rows.slice(offset, offset + CHUNK_ROWS).entries()) {
          const line = firstLine + offset + i;
          const nodeId = (cells[0] ?? '').trim();
          const secret = cells[1]?.trim() || undefined;
          const name = cells[2]?.trim() || undefined;
          try {
            const { device } = this.registry.register({ productId, nodeId, secret, name }, `line ${line}`);
            task.rows.push({ line, nodeId, ok: true, deviceId: device.deviceId });
            task.succeeded++;
          } catch (error) {
            const e =
              error instanceof DomainError
                ? { code: error.code, message: error.message }
                : { code: 'REGISTER_FAILED', message: String(error) };
            task.rows.push({ line, nodeId, ok: false, error: e });
            task.failed++;
          }
          task.processed++;
        }
      });
      const done = task.processed >= task.total;
      if (done) task.status = 'done';
      this.bus.publish('task', {
        at: this.clock.now(),
        taskId: task.taskId,
        kind: 'device-batch-registration',
        status: task.status,
        progress: task.processed / task.total,
        message: `${task.succeeded} registered, ${task.failed} failed of ${task.total}`,
      });
      if (done) this.onRegistered();
      else setImmediate(() => step(offset + CHUNK_ROWS));
    };
    setImmediate(() => step(0));
    return { ...task, rows: [] };
  }
}
