// §1.13 batch tasks (v1.1.0), task type DeviceCmd: one command to a list of devices, the devices of a device type
// (optionally one manufacturer and model) or of groups, as a task with progress and per-device details.
import { z } from 'zod';
import type { AppIdentity } from '../apps/index.js';
import type { CommandBatches } from '../commands/index.js';
import type { CommandBatch, CommandBatchTarget, CommandStatus } from '../contract/commands.js';
import { maxRetransmitSchema } from '../contract/commands.js';
import { optionalField as optional } from '../contract/define.js';
import { queryInt, str } from './northbound-bodies.js';
import { parse, type NorthboundContext } from './northbound-context.js';
import { invalidInput, NorthboundError } from './northbound-errors.js';
import { formatNorthboundTime } from './northbound-time.js';

const TASKS = '/iocm/app/batchtask/v1.1.0/tasks';
/** The task timeout is in minutes (10 min … 48 h); it is also how long each cached command waits for its device. */
const DEFAULT_TIMEOUT_MIN = 2880;

const deviceCmdParamSchema = z.object({
  type: z.enum(['DeviceList', 'DeviceType', 'GroupList']),
  deviceList: optional(z.array(str(160).min(1)).max(10_000)),
  deviceType: optional(str(64)),
  manufacturerId: optional(str(64)),
  model: optional(str(64)),
  deviceLocation: optional(str(256)),
  groupList: optional(z.array(str(64).min(1)).max(256)),
  command: z.object({
    serviceId: str(64).min(1),
    method: str(128).min(1),
    paras: optional(z.record(z.string(), z.unknown())),
  }),
  callbackUrl: optional(str(1024)),
  maxRetransmit: optional(maxRetransmitSchema),
});

const createTaskSchema = z.object({
  appId: optional(str(64)),
  timeout: optional(z.number().int().min(10).max(2880)),
  taskName: str(256).min(1),
  taskType: str(32).min(1),
  param: z.unknown(),
  tags: optional(z.array(z.unknown()).max(10)),
});

const taskQuerySchema = z.object({ appId: optional(str(64)), select: optional(str(64)) });

const detailsQuerySchema = z.object({
  appId: optional(str(64)),
  taskId: str(64).min(1),
  status: optional(str(32)),
  deviceId: optional(str(160)),
  commandId: optional(str(64)),
  pageNo: queryInt(0, 1_000_000).default(0),
  pageSize: queryInt(1, 1000).default(25),
});

function taskNotFound(taskId: string): NorthboundError {
  return new NorthboundError(404, '100022', `The input is invalid: no batch task ${taskId}`);
}

function countOf(task: CommandBatch, statuses: readonly CommandStatus[]): number {
  return task.items.filter((i) => i.status !== undefined && statuses.includes(i.status)).length;
}

function taskBody(task: CommandBatch, param: unknown) {
  const success = countOf(task, ['SUCCESSFUL']);
  return {
    taskId: task.taskId,
    taskName: task.taskName ?? '',
    appId: task.appId ?? '',
    operator: task.appId ?? '',
    taskFrom: 'Portal',
    taskType: 'DeviceCmd',
    status: task.status === 'Done' ? 'Complete' : 'Processing',
    startTime: formatNorthboundTime(task.createdAt),
    timeout: (param as { timeout?: number } | undefined)?.timeout ?? DEFAULT_TIMEOUT_MIN,
    progress: Math.round(task.progress * 100),
    totalCnt: task.total,
    successCnt: success,
    successRate: task.total === 0 ? 0 : Math.round((success / task.total) * 10000) / 100,
    failCnt: task.items.filter((i) => i.error !== undefined || i.status === 'FAILED' || i.status === 'CANCELED').length,
    timeoutCnt: countOf(task, ['TIMEOUT']),
    expiredCnt: countOf(task, ['EXPIRED']),
    completeCnt: task.completed,
    param: (param as { param?: unknown } | undefined)?.param ?? {},
  };
}

export function registerBatchTaskRoutes(
  { route, deps, authed, actingFor }: NorthboundContext,
  batches: () => CommandBatches,
): void {
  /** What `param` names, as a target the commands capability resolves within the application. */
  const targetOf = (param: z.output<typeof deviceCmdParamSchema>, app: AppIdentity): CommandBatchTarget => {
    if (param.type === 'DeviceList') {
      if (!param.deviceList?.length) throw invalidInput('body.param.deviceList: give at least one deviceId');
      const foreign = param.deviceList.filter((id) => deps.apps().ownerOfDevice(id) !== app.appId);
      if (foreign.length)
        throw new NorthboundError(
          404,
          '100403',
          `The device is not existed: the application ${app.appId} has no device with the id ${foreign[0]}`,
        );
      return { deviceIds: param.deviceList };
    }
    if (param.type === 'GroupList') {
      if (!param.groupList?.length) throw invalidInput('body.param.groupList: give at least one group');
      const groups = param.groupList.map((nameOrId) => {
        const found = deps
          .groups()
          .list(app.appId)
          .find((g) => g.id === nameOrId || g.name === nameOrId);
        if (!found)
          throw new NorthboundError(404, '100603', `The device group is not existed: ${nameOrId} in ${app.appId}`);
        return found.id;
      });
      const ids = [
        ...new Set(groups.flatMap((groupId) => deps.groups().resolveTarget({ kind: 'group', groupId }, app.appId))),
      ];
      if (!ids.length) throw invalidInput('body.param.groupList: the groups hold no device');
      return { deviceIds: ids };
    }
    if (!param.deviceType) throw invalidInput('body.param.deviceType: required for the type DeviceType');
    const productIds = deps.products.idsOfDeviceType(param.deviceType).filter((id) => {
      const model = deps.products.get(id)?.model;
      return (
        model !== undefined &&
        (param.manufacturerId === undefined || model.manufacturerId === param.manufacturerId) &&
        (param.model === undefined || model.model === param.model)
      );
    });
    const scope = deps.apps().deviceScope(app.appId);
    const ids = deps
      .devices()
      .page({ productIds, ...scope, ascending: true, offset: 0, limit: 100_000 })
      .items.map((d) => d.deviceId);
    if (!ids.length) throw invalidInput(`body.param: the application holds no device of the type ${param.deviceType}`);
    return { deviceIds: ids };
  };

  const ownedTask = (taskId: string, app: AppIdentity): CommandBatch => {
    let task: CommandBatch;
    try {
      task = batches().view(taskId);
    } catch {
      throw taskNotFound(taskId);
    }
    if (task.appId !== app.appId) throw taskNotFound(taskId);
    return task;
  };

  route('POST', TASKS, (request, caller) => {
    const body = parse(createTaskSchema, request.body, 'body');
    const app = actingFor(authed(caller), body.appId, 'edit');
    if (body.taskType !== 'DeviceCmd')
      throw invalidInput(`body.taskType: ${body.taskType} is not a supported task type (DeviceCmd)`);
    const param = parse(deviceCmdParamSchema, body.param, 'body.param');
    const timeout = body.timeout ?? DEFAULT_TIMEOUT_MIN;
    const task = batches().create(
      targetOf(param, app),
      {
        kind: 'command',
        raw: false,
        serviceId: param.command.serviceId,
        method: param.command.method,
        paras: param.command.paras ?? {},
        expireTime: timeout * 60,
        maxRetransmit: param.maxRetransmit ?? 0,
        ...(param.callbackUrl ? { callbackUrl: param.callbackUrl } : {}),
      },
      { taskName: body.taskName, appId: app.appId, timeoutS: timeout * 60, param: { timeout, param: body.param } },
    );
    return { status: 200, body: { taskID: task.taskId } };
  });

  route('GET', `${TASKS}/:taskId`, (request, caller) => {
    const query = parse(taskQuerySchema, request.query, 'query');
    const app = actingFor(authed(caller), query.appId, 'query');
    const taskId = (request.params as { taskId: string }).taskId;
    const task = ownedTask(taskId, app);
    return { status: 200, body: taskBody(task, batches().taskInfo(taskId)) };
  });

  route('GET', '/iocm/app/batchtask/v1.1.0/taskDetails', (request, caller) => {
    const query = parse(detailsQuerySchema, request.query, 'query');
    const app = actingFor(authed(caller), query.appId, 'query');
    const task = ownedTask(query.taskId, app);
    const rows = task.items.filter(
      (i) =>
        (query.deviceId === undefined || i.deviceId === query.deviceId) &&
        (query.commandId === undefined || i.commandId === query.commandId) &&
        (query.status === undefined || (i.status ?? 'FAILED') === query.status),
    );
    const page = rows.slice(query.pageNo * query.pageSize, (query.pageNo + 1) * query.pageSize);
    return {
      status: 200,
      body: {
        totalCount: rows.length,
        pageNo: query.pageNo,
        pageSize: query.pageSize,
        taskDetails: page.map((i) => {
          const command = i.commandId === undefined ? undefined : deps.commands().view(i.commandId);
          return {
            status: i.status ?? 'FAILED',
            output: command?.result?.body === undefined ? null : JSON.stringify(command.result.body),
            error: i.error ?? command?.result?.reason ?? null,
            param: { deviceId: i.deviceId, ...(i.commandId ? { commandId: i.commandId } : {}) },
          };
        }),
      },
    };
  });
}
