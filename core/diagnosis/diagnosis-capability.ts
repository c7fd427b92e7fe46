// The remote diagnosis capability: tasks table, the service on the platform clock, routes and task events.
import type { Capability } from '../capability.js';
import { diagnosisRoutes } from '../contract/diagnosis.js';
import { DiagnosisStore, diagnosisMigrations } from './diagnosis-store.js';
import { DiagnosisService, type DiagnosisDeviceLink, type DiagnosisDeviceLookup } from './diagnosis-service.js';

export interface DiagnosisCapability extends Capability {
  readonly service: DiagnosisService;
}

export interface DiagnosisCapabilityOptions {
  /** Resolved at start: the LwM2M server and the device registry start before diagnosis. */
  link: () => DiagnosisDeviceLink;
  devices: () => DiagnosisDeviceLookup & { onDeleted(listener: (deviceId: string) => void): void };
}

export function createDiagnosisCapability(options: DiagnosisCapabilityOptions): DiagnosisCapability {
  let service: DiagnosisService | undefined;
  return {
    name: 'diagnosis',
    migrations: diagnosisMigrations,
    get service() {
      if (!service) throw new Error('the diagnosis capability has not started');
      return service;
    },
    start({ db, clock, bus, routes }) {
      const devices = options.devices();
      const s = new DiagnosisService(new DiagnosisStore(db), clock, options.link(), devices, (task) =>
        bus.publish('task', {
          at: clock.now(),
          taskId: task.taskId,
          kind: `diagnosis.${task.kind}`,
          status: task.status,
          ...(task.message ? { message: task.message } : {}),
        }),
      );
      service = s;
      devices.onDeleted((deviceId) => s.forgetDevice(deviceId));
      s.start();

      routes.add(diagnosisRoutes.rebootDevice, ({ params }) => s.create(params.id, 'reboot'));
      routes.add(diagnosisRoutes.collectDeviceLogs, ({ params }) => s.create(params.id, 'logs'));
      routes.add(diagnosisRoutes.listDiagnosisTasks, ({ params }) => ({ tasks: s.list(params.id) }));
      routes.add(diagnosisRoutes.getDiagnosisTask, ({ params }) => s.get(params.taskId));
      routes.add(diagnosisRoutes.downloadDiagnosisLog, ({ params }) => {
        const { task, bytes } = s.log(params.taskId);
        const stamp = (task.finishedAt ?? task.createdAt).replace(/[:.]/g, '-');
        return { contentType: 'text/plain; charset=utf-8', fileName: `${task.deviceId}-log-${stamp}.txt`, bytes };
      });
    },
    stop() {
      service?.stop();
      service = undefined;
    },
  };
}
