// Batch commands: one command to every device of a product or to a list of devices, as a task whose progress
// and per-device results are read from the commands it made.
import { randomUUID } from 'node:crypto';
import { finalCommandStatuses, type CommandBatch, type CreateCommandInput } from '../contract/commands.js';
import { DomainError } from '../domain-error.js';
import type { CommandStore, CommandRow } from './command-store.js';
import type { CommandService } from './command-service.js';

export type BatchTarget = { productId: string } | { deviceIds: string[] };

export interface BatchDevices {
  /** Device ids of a product, or undefined when there is no such product. */
  devicesOfProduct(productId: string): string[] | undefined;
}

export class CommandBatches {
  constructor(
    private readonly store: CommandStore,
    private readonly service: CommandService,
    private readonly devices: BatchDevices,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  create(target: BatchTarget, input: CreateCommandInput): CommandBatch {
    let deviceIds: string[];
    if ('productId' in target) {
      const ids = this.devices.devicesOfProduct(target.productId);
      if (!ids) throw new DomainError('PRODUCT_NOT_FOUND', `no product ${target.productId}`, 'body.target.productId');
      deviceIds = ids;
    } else deviceIds = [...new Set(target.deviceIds)];
    const taskId = randomUUID();
    const refused: { deviceId: string; error: string }[] = [];
    const rows: CommandRow[] = [];
    this.store.inTransaction(() => {
      for (const deviceId of deviceIds) {
        try {
          rows.push(this.service.insert(deviceId, input, taskId));
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          refused.push({ deviceId, error: error.message });
        }
      }
      this.store.insertBatch({
        id: taskId,
        service_id: input.serviceId,
        method: input.method,
        created_at: this.now(),
        refused: JSON.stringify(refused),
      });
    });
    for (const row of rows) this.service.dispatch(row).catch(this.onError);
    return this.view(taskId);
  }

  view(taskId: string): CommandBatch {
    const batch = this.store.batch(taskId);
    if (!batch) throw new DomainError('COMMAND_BATCH_NOT_FOUND', `no batch command task ${taskId}`, 'params.taskId');
    const refused = JSON.parse(batch.refused) as { deviceId: string; error: string }[];
    const commands = this.store.commandsOfBatch(taskId);
    const final = commands.filter((c) => finalCommandStatuses.includes(c.status));
    const successful = final.filter((c) => c.status === 'SUCCESSFUL').length;
    const total = commands.length + refused.length;
    const completed = final.length + refused.length;
    return {
      taskId,
      serviceId: batch.service_id,
      method: batch.method,
      createdAt: batch.created_at,
      status: completed === total ? 'Done' : 'Processing',
      total,
      completed,
      successful,
      failed: completed - successful,
      progress: total === 0 ? 1 : completed / total,
      items: [
        ...commands.map((c) => ({ deviceId: c.device_id, commandId: c.id, status: c.status })),
        ...refused.map((r) => ({ deviceId: r.deviceId, error: r.error })),
      ],
    };
  }
}
