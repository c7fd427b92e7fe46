// The commands capability: its tables, the queue and state machine on the platform clock, its routes and its events
// (`command` per transition, `task` for batch progress). It reaches devices only through the device link.
import type { Capability } from '../capability.js';
import type { TimerHandle } from '../clock.js';
import { commandRoutes, createCommandBodySchema } from '../contract/commands.js';
import type { DeviceLink } from '../device-link/index.js';
import { CommandBatches, type BatchDevices } from './command-batches.js';
import type { CodecEncode } from './command-delivery.js';
import { CommandService, type CommandCallbacks, type CommandDevices } from './command-service.js';
import { CommandStore, commandMigrations } from './command-store.js';

export interface CommandsCapability extends Capability {
  readonly service: CommandService;
  readonly batches: CommandBatches;
}

export interface CommandsCapabilityDeps {
  /** Resolved at start: the adapters attach to the link before commands start. */
  link: () => DeviceLink;
  encode: CodecEncode;
  devices: () => CommandDevices & BatchDevices & { onDeleted(listener: (deviceId: string) => void): () => void };
  callbacks: CommandCallbacks;
}

/** Batch progress events at most this often per batch: a batch of thousands changes state thousands of times. */
const BATCH_EVENT_MS = 250;

export function createCommandsCapability(deps: CommandsCapabilityDeps): CommandsCapability {
  let running: { service: CommandService; batches: CommandBatches; stop: () => void } | undefined;
  const started = () => {
    if (!running) throw new Error('the commands capability has not started');
    return running;
  };

  return {
    name: 'commands',
    migrations: commandMigrations,
    get service() {
      return started().service;
    },
    get batches() {
      return started().batches;
    },

    start({ db, clock, bus, logger, routes }) {
      const store = new CommandStore(db);
      const devices = deps.devices();
      const batchEvents = new Map<string, TimerHandle>();
      // Set right below: the service reports changes through this before the batches exist.
      const batchesRef: { current?: CommandBatches } = {};
      const batchChanged = (batchId: string) => {
        if (batchEvents.has(batchId)) return;
        batchEvents.set(
          batchId,
          clock.setTimeout(() => {
            batchEvents.delete(batchId);
            const task = batchesRef.current?.view(batchId);
            if (task)
              bus.publish('task', {
                at: clock.now(),
                taskId: batchId,
                kind: 'commands.batch',
                status: task.status,
                progress: task.progress,
              });
          }, BATCH_EVENT_MS),
        );
      };
      const service = new CommandService({
        store,
        clock,
        link: deps.link(),
        encode: deps.encode,
        devices,
        callbacks: deps.callbacks,
        changed: (command, batchId) => {
          bus.publish('command', {
            at: clock.now(),
            deviceId: command.deviceId,
            commandId: command.commandId,
            status: command.status,
          });
          if (batchId !== null) batchChanged(batchId);
        },
        log: (message) => logger.info(message),
      });
      const batches = new CommandBatches(
        store,
        service,
        devices,
        () => clock.now(),
        (error) => logger.error({ err: error }, 'a batch command could not be sent'),
      );
      batchesRef.current = batches;
      const unfollowDeletes = devices.onDeleted((deviceId) => service.forgetDevice(deviceId));
      service.start();
      running = {
        service,
        batches,
        stop: () => {
          unfollowDeletes();
          for (const t of batchEvents.values()) t.cancel();
          service.stop();
        },
      };

      routes.add(commandRoutes.createCommand, ({ params, body }) => service.create(params.id, body));
      routes.add(commandRoutes.listCommands, ({ query }) =>
        service.list({
          ...(query.deviceId !== undefined ? { deviceId: query.deviceId } : {}),
          ...(query.status !== undefined ? { status: query.status } : {}),
          ...(query.from !== undefined ? { from: query.from } : {}),
          ...(query.to !== undefined ? { to: query.to } : {}),
          offset: query.pageNo * query.pageSize,
          limit: query.pageSize,
        }),
      );
      routes.add(commandRoutes.getCommand, ({ params }) => service.get(params.commandId));
      routes.add(commandRoutes.cancelCommand, ({ params }) => service.cancel(params.commandId));
      routes.add(commandRoutes.resendCommand, ({ params }) => {
        const old = service.view(params.commandId);
        return service.create(
          old.deviceId,
          createCommandBodySchema.parse({
            kind: old.kind,
            serviceId: old.serviceId,
            method: old.method,
            paras: old.paras,
            expireTime: old.expireTime,
            maxRetransmit: old.maxRetransmit,
            ...(old.callbackUrl ? { callbackUrl: old.callbackUrl } : {}),
          }),
        );
      });
      routes.add(commandRoutes.cancelAllCommands, ({ params }) => service.cancelAll(params.id));
      routes.add(commandRoutes.listCancelTasks, ({ params }) => ({ tasks: service.cancelTasks(params.id) }));
      routes.add(commandRoutes.createCommandBatch, ({ body }) =>
        batches.create(body.target, { ...body, kind: 'command', raw: false }),
      );
      routes.add(commandRoutes.getCommandBatch, ({ params }) => batches.view(params.taskId));
      routes.add(commandRoutes.sendDeviceCommand, async ({ params, body }) => {
        const created = await service.create(params.id, {
          kind: 'command',
          serviceId: body.serviceId,
          method: body.commandName,
          paras: body.paras,
          expireTime: 0,
          maxRetransmit: 0,
          raw: false,
        });
        const { transitions } = service.get(created.commandId);
        const sent = transitions.find((t) => t.status === 'SENT');
        if (!sent) return { sent: false };
        const answered = await service.waitForAnswer(created.commandId, body.timeoutMs);
        const result = answered?.result;
        const correlation =
          sent.protocol === 'mqtt' && sent.topic?.startsWith('$oc/') ? created.commandId : created.mid;
        return {
          sent: true,
          commandId: String(correlation),
          ...(sent.topic ? { topic: sent.topic } : {}),
          ...(result?.resultCode !== undefined
            ? {
                response: {
                  resultCode: result.resultCode,
                  ...(result.responseName ? { responseName: result.responseName } : {}),
                  body: result.body ?? {},
                },
              }
            : {}),
        };
      });
    },

    stop() {
      running?.stop();
      running = undefined;
    },
  };
}
