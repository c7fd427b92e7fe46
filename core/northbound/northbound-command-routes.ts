// §1.7–1.8 device commands: v1.4.0 deviceCommands (create 201, query, PUT cancel) and deviceCommandCancelTasks, the
// older v1.2.0 device commands and the v1.1.0 signaltrans service invocation. Each application sees the commands of
// the devices it holds.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppIdentity } from '../apps/index.js';
import type { CommandFilter, CommandService } from '../commands/index.js';
import {
  createCommandBodySchema,
  DEFAULT_EXPIRE_TIME_S,
  expireTimeSchema,
  maxRetransmitSchema,
  type CancelTask,
  type DeviceCommand,
} from '../contract/commands.js';
import { optionalField } from '../contract/define.js';
import { appIdQuerySchema, queryInt, str } from './northbound-bodies.js';
import { parse, timeBound, type NorthboundContext, windowAndPage } from './northbound-context.js';
import { invalidInput, NorthboundError } from './northbound-errors.js';
import { formatNorthboundTime } from './northbound-time.js';

const optional = optionalField;

const commandDto = z.object({
  serviceId: str(64).min(1),
  method: str(128).min(1),
  paras: optional(z.record(z.string(), z.unknown())),
});

const createV2Schema = z.object({
  command: commandDto,
  callbackUrl: optional(str(1024)),
  expireTime: optional(expireTimeSchema),
  requestId: optional(str(128)),
});

const createV4Schema = createV2Schema.omit({ requestId: true }).extend({
  deviceId: str(160).min(1),
  maxRetransmit: optional(maxRetransmitSchema),
});

const invocationSchema = z.object({
  header: z.object({
    mode: optional(z.enum(['ACK', 'NOACK'])),
    from: optional(str(128)),
    toType: optional(str(32)),
    to: optional(str(160)),
    method: str(128).min(1),
    callbackURL: optional(str(1024)),
    requestId: optional(str(128)),
  }),
  body: optional(z.record(z.string(), z.unknown())),
});

const pageQuery = {
  appId: str(64).optional(),
  pageNo: queryInt(0, 1_000_000).default(0),
  pageSize: queryInt(1, 1000).default(25),
  deviceId: str(160).optional(),
  startTime: str(32).optional(),
  endTime: str(32).optional(),
};
const commandQuerySchema = z.object(pageQuery);
const cancelTaskQuerySchema = z.object({ ...pageQuery, taskId: str(64).optional(), status: str(32).optional() });
const cancelBodySchema = z.object({ status: z.literal('CANCELED') });
const cancelTaskBodySchema = z.object({ deviceId: str(160).min(1) });

const time = (ms: number | undefined) => (ms === undefined ? null : formatNorthboundTime(ms));

/** The command object of §1.7 (CommandDTOV4). */
function commandBody(command: DeviceCommand, appId: string) {
  return {
    commandId: command.commandId,
    appId,
    deviceId: command.deviceId,
    command: { serviceId: command.serviceId, method: command.method, paras: command.paras },
    callbackUrl: command.callbackUrl ?? null,
    expireTime: command.expireTime,
    maxRetransmit: command.maxRetransmit,
    status: command.status,
    result: command.result
      ? {
          resultCode: command.status === 'SUCCESSFUL' ? 'SUCCESS' : command.status,
          resultDetail: command.result.body ?? (command.result.reason ? { reason: command.result.reason } : null),
        }
      : null,
    creationTime: formatNorthboundTime(command.createdAt),
    executeTime: time(command.sentAt),
    platformIssuedTime: time(command.sentAt),
    deliveredTime: time(command.deliveredAt),
    issuedTimes: command.issuedTimes,
  };
}

function cancelTaskBody(task: CancelTask, appId: string) {
  return {
    taskId: task.taskId,
    appId,
    deviceId: task.deviceId,
    status: task.status,
    totalCount: task.totalCount,
    deviceCommands: task.commands.map((c) => commandBody(c, appId)),
  };
}

export function registerCommandRoutes(
  { route, deps, authed, actingFor, ownedDevice, requireDevice }: NorthboundContext,
  commands: () => CommandService,
): void {
  const scope = (
    app: AppIdentity,
    deviceId: string | undefined,
  ): Pick<CommandFilter, 'deviceId' | 'onlyIds' | 'exceptIds'> =>
    deviceId !== undefined ? { deviceId: ownedDevice(deviceId, app).deviceId } : deps.apps().deviceScope(app.appId);
  const ownedCommand = (commandId: string, app: AppIdentity) => {
    let command: DeviceCommand;
    try {
      command = commands().view(commandId);
    } catch (error) {
      throw error instanceof Error && 'code' in error && error.code === 'COMMAND_NOT_FOUND'
        ? new NorthboundError(404, '100434', `The device command is not existed: no command ${commandId}`)
        : error;
    }
    if (deps.apps().ownerOfDevice(command.deviceId) !== app.appId)
      throw new NorthboundError(404, '100434', `The device command is not existed: no command ${commandId}`);
    return command;
  };
  /** The application a changing call acts for: the caller, or the `?appId=` that granted it edit rights. */
  const editor = (request: FastifyRequest, caller: AppIdentity | undefined) =>
    actingFor(authed(caller), parse(appIdQuerySchema, request.query, 'query').appId, 'edit');
  const create = (deviceId: string, input: z.input<typeof createCommandBodySchema>) => {
    const checked = createCommandBodySchema.safeParse(input);
    if (!checked.success) throw invalidInput(`body: ${checked.error.issues[0]?.message ?? 'invalid'}`);
    return commands().create(deviceId, checked.data);
  };

  // §1.7 v1.4.0
  route('POST', '/iocm/app/cmd/v1.4.0/deviceCommands', async (request, caller) => {
    const app = editor(request, caller);
    const body = parse(createV4Schema, request.body, 'body');
    const device = ownedDevice(body.deviceId, app);
    const created = await create(device.deviceId, {
      serviceId: body.command.serviceId,
      method: body.command.method,
      paras: body.command.paras ?? {},
      expireTime: body.expireTime ?? DEFAULT_EXPIRE_TIME_S,
      maxRetransmit: body.maxRetransmit ?? 0,
      ...(body.callbackUrl ? { callbackUrl: body.callbackUrl } : {}),
    });
    return { status: 201, body: commandBody(created, app.appId) };
  });

  route('GET', '/iocm/app/cmd/v1.4.0/deviceCommands', (request, caller) => {
    const query = parse(commandQuerySchema, request.query, 'query');
    const app = actingFor(authed(caller), query.appId, 'query');
    const page = commands().list({ ...scope(app, query.deviceId), ...windowAndPage(query) });
    return {
      status: 200,
      body: {
        pagination: { pageNo: query.pageNo, pageSize: query.pageSize, totalSize: page.total },
        data: page.items.map((c) => commandBody(c, app.appId)),
      },
    };
  });

  route('PUT', '/iocm/app/cmd/v1.4.0/deviceCommands/:deviceCommandId', (request, caller) => {
    const app = editor(request, caller);
    parse(cancelBodySchema, request.body, 'body');
    const { deviceCommandId } = request.params as { deviceCommandId: string };
    const command = ownedCommand(deviceCommandId, app);
    return { status: 200, body: commandBody(commands().cancel(command.commandId), app.appId) };
  });

  route('POST', '/iocm/app/cmd/v1.4.0/deviceCommandCancelTasks', (request, caller) => {
    const app = editor(request, caller);
    const body = parse(cancelTaskBodySchema, request.body, 'body');
    const device = ownedDevice(body.deviceId, app);
    return { status: 201, body: cancelTaskBody(commands().cancelAll(device.deviceId), app.appId) };
  });

  route('GET', '/iocm/app/cmd/v1.4.0/deviceCommandCancelTasks', (request, caller) => {
    const query = parse(cancelTaskQuerySchema, request.query, 'query');
    const app = actingFor(authed(caller), query.appId, 'query');
    const from = timeBound(query.startTime, 'startTime');
    const to = timeBound(query.endTime, 'endTime');
    const deviceId = query.deviceId === undefined ? undefined : ownedDevice(query.deviceId, app).deviceId;
    const owner = deps.apps();
    const tasks = commands()
      .cancelTasks(deviceId)
      .filter(
        (t) =>
          owner.ownerOfDevice(t.deviceId) === app.appId &&
          (query.taskId === undefined || t.taskId === query.taskId) &&
          (query.status === undefined || t.status === query.status) &&
          (from === undefined || t.createdAt >= from) &&
          (to === undefined || t.createdAt <= to),
      );
    const start = query.pageNo * query.pageSize;
    return {
      status: 200,
      body: {
        pagination: { pageNo: query.pageNo, pageSize: query.pageSize, totalSize: tasks.length },
        data: tasks.slice(start, start + query.pageSize).map((t) => cancelTaskBody(t, app.appId)),
      },
    };
  });

  // §1.7 older variant
  route('POST', '/iocm/app/cmd/v1.2.0/devices/:deviceId/commands', async (request, caller) => {
    const app = editor(request, caller);
    const device = requireDevice(request, app);
    const body = parse(createV2Schema, request.body, 'body');
    const created = await create(device.deviceId, {
      serviceId: body.command.serviceId,
      method: body.command.method,
      paras: body.command.paras ?? {},
      expireTime: body.expireTime ?? DEFAULT_EXPIRE_TIME_S,
      ...(body.callbackUrl ? { callbackUrl: body.callbackUrl } : {}),
    });
    return { status: 201, body: { ...commandBody(created, app.appId), requestId: body.requestId ?? null } };
  });

  // §1.8 service invocation: sent now (for MQTT devices a cloudReq on the command topic)
  route(
    'POST',
    '/iocm/app/signaltrans/v1.1.0/devices/:deviceId/services/:serviceId/sendCommand',
    async (request, caller) => {
      const app = editor(request, caller);
      const device = requireDevice(request, app);
      const { serviceId } = request.params as { serviceId: string };
      const body = parse(invocationSchema, request.body, 'body');
      const created = await create(device.deviceId, {
        serviceId,
        method: body.header.method,
        paras: body.body ?? {},
        expireTime: 0,
        ...(body.header.callbackURL ? { callbackUrl: body.header.callbackURL } : {}),
      });
      return {
        status: 200,
        body: {
          requestId: body.header.requestId ?? created.commandId,
          status: created.status,
          timestamp: formatNorthboundTime(created.sentAt ?? created.createdAt),
        },
      };
    },
  );
}
