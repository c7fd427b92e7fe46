// The OTA capability: tasks and sub-tasks (tables, service on the platform clock), the three protocol runners, the
// firmware CoAP resource and the HTTP download endpoint, routes and live task events.
import { networkInterfaces } from 'node:os';
import type { Capability } from '../capability.js';
import { otaRoutes, type OtaSubTask, type OtaTask } from '../contract/ota.js';
import type { DeviceLink } from '../device-link/index.js';
import type { UpgradeNotice } from '../push/index.js';
import { createDownloadServer } from './download-server.js';
import { FotaRunner, type FirmwareRequest } from './fota-runner.js';
import { MqttOtaRunner } from './mqtt-ota-runner.js';
import { OtaService, type OtaDevices, type OtaPackages, type OtaTargets } from './ota-service.js';
import { OtaStore, otaMigrations } from './ota-store.js';
import { registerOtaNorthboundRoutes, type OtaNorthboundPackages } from './ota-northbound-routes.js';
import type { NorthboundContext } from '../northbound/index.js';
import { PcpRunner } from './pcp-runner.js';

export interface OtaCapability extends Capability {
  readonly service: OtaService;
  /** The §1.15 northbound section: give it to the northbound capability's `sections`. */
  northboundSection(context: NorthboundContext): void;
}

export interface OtaCapabilityDeps {
  link: () => DeviceLink;
  devices: () => OtaDevices & { onDeleted(listener: (deviceId: string) => void): void };
  packages: () => OtaPackages &
    OtaNorthboundPackages & { setInUseCheck(check: (packageId: string) => string | undefined): void };
  /** core/commands: whether the device has commands waiting (R-14.5). */
  commandsPending: (deviceId: string) => boolean;
  /** Serves `/fw/…` CoAP requests on the LwM2M port (the adapter's resource hook). */
  coapResources: () => { serveResource(segment: string, handler: (req: FirmwareRequest) => void): () => void };
  /** core/groups: group and tag targets, resolved when a task is created. */
  targets?: () => OtaTargets;
  /** Upgrade state and result pushes (§1.11) through the push delivery. */
  notify?: (notice: UpgradeNotice) => void;
}

const NOTIFIED_STEPS = { downloading: 'downloading', downloaded: 'downloaded', updating: 'updating' } as const;
const compactUtc = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+/, '');

/** The §1.11 notice a sub-task change is worth, once per step; undefined when it is not one. */
function noticeOf(sub: OtaSubTask, task: OtaTask, last: Map<string, string>): UpgradeNotice | undefined {
  const ended = sub.status === 'success' || sub.status === 'fail';
  const key = ended ? sub.status : sub.step;
  const state = ended ? ('idle' as const) : NOTIFIED_STEPS[sub.step as keyof typeof NOTIFIED_STEPS];
  if (!state || last.get(sub.subTaskId) === key) return undefined;
  if (ended) last.delete(sub.subTaskId);
  else last.set(sub.subTaskId, key);
  const ids = { kind: task.kind, deviceId: sub.deviceId, operationId: task.taskId, subOperationId: sub.subTaskId };
  if (!ended) return { ...ids, state };
  return {
    ...ids,
    state,
    result: {
      success: sub.status === 'success',
      curVersion: sub.currentVersion ?? sub.sourceVersion ?? '',
      targetVersion: task.targetVersion,
      sourceVersion: sub.sourceVersion ?? '',
      upgradeTime: compactUtc(sub.finishedAt ?? new Date(0).toISOString()),
      errorCode: sub.reason ?? '',
      description: sub.detail ?? sub.reason ?? '',
    },
  };
}

/** A wildcard bind address is no address a device can use: the first LAN IPv4, else loopback. */
function reachableHost(bound: string): string {
  if (bound !== '0.0.0.0' && bound !== '::') return bound.includes(':') ? `[${bound}]` : bound;
  for (const list of Object.values(networkInterfaces())) {
    const lan = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (lan) return lan.address;
  }
  return '127.0.0.1';
}

export function createOtaCapability(deps: OtaCapabilityDeps): OtaCapability {
  let service: OtaService | undefined;
  const cleanups: (() => void)[] = [];
  const started = () => {
    if (!service) throw new Error('the ota capability has not started');
    return service;
  };
  return {
    name: 'ota',
    migrations: otaMigrations,
    get service() {
      return started();
    },
    northboundSection(context) {
      registerOtaNorthboundRoutes(started, () => deps.packages(), context);
    },
    async start({ db, clock, bus, routes, ports, logger }) {
      const link = deps.link();
      const coap = ports.udp('coap');
      const coapHost = coap ? reachableHost(coap.socket.address().address) : undefined;
      const mqttAddress = ports.tcp('mqtt')?.server.address();
      const bindHost = typeof mqttAddress === 'object' && mqttAddress ? mqttAddress.address : '127.0.0.1';
      const http = await ports.bindTcp('ota-http', 0, bindHost);
      const httpBase = `http://${reachableHost(bindHost)}:${http.port}`;

      const fota = new FotaRunner(
        link,
        (subTaskId, version) =>
          `coap://${coapHost ?? '127.0.0.1'}:${coap?.port ?? 5683}/fw/${subTaskId}/${encodeURIComponent(version)}`,
      );
      const mqtt = new MqttOtaRunner(
        link,
        () => clock.now(),
        (subTaskId, fileName) => `${httpBase}/ota/${subTaskId}/${encodeURIComponent(fileName)}`,
      );
      const store = new OtaStore(db);
      const notified = new Map<string, string>();
      const devices = deps.devices();
      const packages = deps.packages();
      const publishTask = (task: OtaTask) =>
        bus.publish('task', {
          at: clock.now(),
          taskId: task.taskId,
          kind: 'ota',
          status: task.status,
          progress: task.counts.total
            ? (task.counts.success + task.counts.fail + task.counts.stopped) / task.counts.total
            : 0,
        });
      const s = new OtaService({
        store,
        clock,
        link,
        devices,
        packages,
        commandsPending: deps.commandsPending,
        ...(deps.targets ? { targets: deps.targets() } : {}),
        runners: { 'lwm2m-fota': fota, 'pcp-sota': new PcpRunner(link), 'mqtt-ota': mqtt },
        onTask: publishTask,
        onSubTask: (sub, task) => {
          bus.publish('task', {
            at: clock.now(),
            taskId: task.taskId,
            kind: 'ota.device',
            status: sub.status,
            progress: sub.progress / 100,
            message: `${sub.deviceId} ${sub.step}${sub.reason ? ` ${sub.reason}` : ''}`,
          });
          const notice = deps.notify && noticeOf(sub, task, notified);
          if (notice) deps.notify?.(notice);
        },
      });
      service = s;
      packages.setInUseCheck((packageId) => s.packageInUse(packageId));
      devices.onDeleted((deviceId) => s.forgetDevice(deviceId));
      if (coap) cleanups.push(deps.coapResources().serveResource('fw', (req) => fota.serve(req)));

      const server = createDownloadServer((subTaskId) => mqtt.grant(subTaskId));
      http.serve((socket) => server.emit('connection', socket));
      logger.info(`OTA downloads at ${httpBase}/ota/…, firmware over CoAP at /fw/… on the LwM2M port`);
      await s.start();

      routes.add(otaRoutes.createOtaTask, ({ body }) => s.create(body));
      routes.add(otaRoutes.listOtaTasks, () => ({ tasks: s.list() }));
      routes.add(otaRoutes.getOtaTask, ({ params }) => s.get(params.taskId));
      routes.add(otaRoutes.listOtaSubTasks, ({ params, query }) => ({
        items: s.subTasks(params.taskId, query.status),
      }));
      routes.add(otaRoutes.listOtaCells, ({ params }) => ({ cells: s.cells(params.taskId) }));
      routes.add(otaRoutes.stopOtaTask, ({ params }) => s.stopTask(params.taskId));
      routes.add(otaRoutes.retryOtaTask, ({ params }) => s.retryFailed(params.taskId));
      routes.add(otaRoutes.deleteOtaTask, ({ params }) => {
        s.deleteTask(params.taskId);
        return { deleted: true as const };
      });
      routes.add(otaRoutes.confirmOtaSubTask, ({ params }) => s.confirm(params.subTaskId));
      routes.add(otaRoutes.otaSubTaskTimeline, ({ params }) => ({ entries: s.timeline(params.subTaskId) }));
      routes.add(otaRoutes.deviceOtaHistory, ({ params }) => ({ items: s.history(params.id) }));
    },
    stop() {
      for (const c of cleanups.splice(0)) c();
      service?.stop();
      service = undefined;
    },
  };
}
