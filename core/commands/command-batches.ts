// Batch commands: one command to every device of a product, a group, a tag or a list, as a task whose
// progress and per-device results are read from the commands it made. The target is resolved when the task starts.
import { randomUUID } from 'node:crypto';
import {
  finalCommandStatuses,
  type CommandBatch,
  type CommandBatchTarget,
  type CreateCommandInput,
} from '../contract/commands.js';
import { DomainError } from '../domain-error.js';
import type { CommandStore, CommandRow } from './command-store.js';
import type { CommandService } from './command-service.js';

export interface BatchDevices {
  /** The devices a target names now, by registration order; throws a DomainError for an unknown product/group/tag. */
  resolveTarget(target: CommandBatchTarget, appId: string | undefined): string[];
}

/** Northbound batch tasks keep what the application sent, to answer with it. */
export interface BatchTaskInfo {
  taskName: string;
  appId: string;
  timeoutS: number;
  param: unknown;
}

export class CommandBatches {
  constructor(
    private readonly store: CommandStore,
    private readonly service: CommandService,
    private readonly devices: BatchDevices,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  create(target: CommandBatchTarget, input: CreateCommandInput, info?: BatchTaskInfo): CommandBatch {
    const deviceIds = this.devices.resolveTarget(target, info?.appId);
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
        target: JSON.stringify(target),
        task_name: info?.taskName ?? null,
        app_id: info?.appId ?? null,
        timeout_s: info?.timeoutS ?? null,
        param: info === undefined ? null : JSON.stringify(info.param),
      });
    });
    for (const row of rows) this.service.dispatch(row).catch(this.onError);
    return this.view(taskId);
  }

  /** What a northbound batch task was created with (`param` of BatchTaskInfo), or undefined. */
  taskInfo(taskId: string): unknown {
    const param = this.store.batch(taskId)?.param;
    return param === undefined || param === null ? undefined : (JSON.parse(param) as unknown);
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
      target: JSON.parse(batch.target) as CommandBatchTarget,
      ...(batch.task_name !== null ? { taskName: batch.task_name } : {}),
      ...(batch.app_id !== null ? { appId: batch.app_id } : {}),
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
