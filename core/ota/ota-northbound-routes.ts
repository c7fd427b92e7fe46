// §1.15 on the northbound API (`/iodm/northbound/v1.5.0`): the package library (`category`) and upgrade tasks
// (`operations`) with their sub-operations, in the platform's field names, so an application server works unchanged.
import { z } from 'zod';
import type { OtaSubTask, OtaTask } from '../contract/ota.js';
import type { StoredPackage } from '../contract/packages.js';
import {
  formatNorthboundTime,
  invalidInput,
  NorthboundError,
  parseNorthbound as parse,
  type NorthboundContext,
} from '../northbound/index.js';
import type { OtaService } from './ota-service.js';

const BASE = '/iodm/northbound/v1.5.0';
const str = (max: number) => z.string().max(max);
const page = {
  pageNo: z.coerce.number().int().min(0).max(1_000_000).default(0),
  pageSize: z.coerce.number().int().min(1).max(1000).default(10),
};
const fileTypes = { softwarePackage: 'software', firmwarePackage: 'firmware' } as const;

const categoryQuery = z.object({
  fileType: z.enum(['softwarePackage', 'firmwarePackage']).optional(),
  deviceType: str(64).optional(),
  model: str(64).optional(),
  manufacturerName: str(64).optional(),
  version: str(32).optional(),
  ...page,
});

const taskBody = z.object({
  fileId: str(64).min(1),
  targets: z.object({
    deviceGroups: z.array(str(128)).max(256).nullish(),
    deviceType: str(64).nullish(),
    model: str(64).nullish(),
    manufacturerName: str(64).nullish(),
    devices: z.array(str(160)).max(10_000).nullish(),
  }),
  policy: z
    .object({
      executeType: z.enum(['now', 'device_online', 'custom']).nullish(),
      startTime: str(32).nullish(),
      endTime: str(32).nullish(),
      retryType: z.boolean().nullish(),
      retryTimes: z.number().int().min(0).max(10).nullish(),
    })
    .nullish(),
});

/** Task and sub-task states in the platform's words (its enums were not captured: these are our reading). */
const statusWords: Record<OtaSubTask['status'] | 'stopped', string> = {
  waiting: 'wait',
  running: 'processing',
  success: 'success',
  fail: 'fail',
  stopped: 'stop',
};
const statusOf = (word: string | undefined) =>
  (Object.entries(statusWords).find(([, w]) => w === word)?.[0] as OtaSubTask['status'] | undefined) ?? undefined;

const opsQuery = z.object({
  operationType: z.enum(['softwareUpgrade', 'firmwareUpgrade']).optional(),
  operationStatus: str(16).optional(),
  deviceType: str(64).optional(),
  model: str(64).optional(),
  manufacturerName: str(64).optional(),
  deviceId: str(160).optional(),
  ...page,
});
const subOpsQuery = z.object({ subOperationStatus: str(16).optional(), ...page });

/** `yyyyMMdd'T'HHmmss'Z'` → ISO, for the policy's startTime. */
function isoOfNorthbound(text: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) throw invalidInput(`body.policy.startTime: ${text} is not yyyyMMddTHHmmssZ`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
}

const time = (iso: string | null) => (iso === null ? null : formatNorthboundTime(Date.parse(iso)));

function packageView(p: StoredPackage) {
  return {
    fileId: p.id,
    name: p.name,
    version: p.version,
    fileType: p.kind === 'software' ? 'softwarePackage' : 'firmwarePackage',
    deviceType: p.deviceType,
    model: p.model,
    manufacturerName: p.manufacturerName,
    protocolType: p.protocolType,
    description: p.description,
    date: p.upgradeDesc?.date ?? new Date(p.uploadedAt).toISOString().slice(0, 10),
    uploadTime: formatNorthboundTime(p.uploadedAt),
  };
}

export interface OtaNorthboundPackages {
  list(): StoredPackage[];
  require(id: string): StoredPackage;
  remove(id: string): Promise<void>;
}

export function registerOtaNorthboundRoutes(
  service: () => OtaService,
  packages: () => OtaNorthboundPackages,
  { deps, route, authed, actingFor, ownedDevice }: NorthboundContext,
): void {
  const groupName = (groupId: string, appId: string) =>
    deps
      .groups()
      .list(appId)
      .find((g) => g.id === groupId)?.name ?? groupId;
  const operationView = (task: OtaTask, appId: string) => {
    const pkg = packages().require(task.packageId);
    const subs = service().subTasks(task.taskId, undefined, appId);
    const c = task.counts;
    return {
      operationId: task.taskId,
      createTime: time(task.createdAt),
      startTime: time(task.startedAt),
      stopTime: time(task.finishedAt),
      operateType: task.kind === 'software' ? 'softwareUpgrade' : 'firmwareUpgrade',
      targets: {
        deviceType: pkg.deviceType,
        model: pkg.model,
        manufacturerName: pkg.manufacturerName,
        deviceGroups: task.resolvedTargets.filter((t) => t.kind === 'group').map((t) => groupName(t.id, appId)),
        devices: subs.map((s) => s.deviceId),
      },
      policy: {
        executeType: task.policy.executeType,
        startTime: task.policy.startTime ? formatNorthboundTime(Date.parse(task.policy.startTime)) : null,
        endTime: null,
        retryType: task.policy.retryTimes > 0,
        retryTimes: task.policy.retryTimes,
      },
      status: statusWords[task.status],
      staResult: {
        total: c.total,
        wait: c.waiting,
        processing: c.running,
        success: c.success,
        fail: subs.filter((s) => s.status === 'fail' && s.reason !== 'DeviceTimeout').length,
        stop: c.stopped,
        timeout: subs.filter((s) => s.status === 'fail' && s.reason === 'DeviceTimeout').length,
      },
      extendPara: { fileId: task.packageId, targetVersion: task.targetVersion },
    };
  };

  route('GET', `${BASE}/category`, (request, caller) => {
    authed(caller);
    const q = parse(categoryQuery, request.query, 'query');
    const all = packages()
      .list()
      .filter(
        (p) =>
          (!q.fileType || p.kind === fileTypes[q.fileType]) &&
          (!q.deviceType || p.deviceType === q.deviceType) &&
          (!q.model || p.model === q.model) &&
          (!q.manufacturerName || p.manufacturerName === q.manufacturerName) &&
          (!q.version || p.version === q.version),
      );
    const data = all.slice(q.pageNo * q.pageSize, (q.pageNo + 1) * q.pageSize).map(packageView);
    return { status: 200, body: { data, pageNo: q.pageNo, pageSize: q.pageSize, totalCount: all.length } };
  });
  route('GET', `${BASE}/category/:fileId`, (request, caller) => {
    authed(caller);
    return { status: 200, body: packageView(packages().require((request.params as { fileId: string }).fileId)) };
  });
  route('DELETE', `${BASE}/category/:fileId`, async (request, caller) => {
    authed(caller);
    await packages().remove((request.params as { fileId: string }).fileId);
    return { status: 204 };
  });

  for (const [path, kind] of [
    ['softwareUpgrade', 'software'],
    ['firmwareUpgrade', 'firmware'],
  ] as const) {
    route('POST', `${BASE}/operations/${path}`, (request, caller) => {
      const app = actingFor(authed(caller), undefined, 'edit');
      const body = parse(taskBody, request.body, 'body');
      const pkg = packages().require(body.fileId);
      if (pkg.kind !== kind) throw invalidInput(`body.fileId: ${body.fileId} is not a ${kind} package`);
      const t = body.targets;
      const groupIds = (t.deviceGroups ?? []).map((name, i) => {
        // The group's devices of the package's product: the platform wants that product named with the groups.
        for (const field of ['deviceType', 'model', 'manufacturerName'] as const) {
          if (!t[field]) throw invalidInput(`body.targets.${field}: required when deviceGroups is used`);
          if (t[field] !== pkg[field]) {
            throw invalidInput(`body.targets.${field}: ${t[field]} is not the package's ${field} ${pkg[field]}`);
          }
        }
        const found = deps
          .groups()
          .list(app.appId)
          .find((g) => g.name === name || g.id === name);
        if (!found) {
          throw new NorthboundError(404, '100603', `The device group is not existed: ${name} in ${app.appId} (${i})`);
        }
        return found.id;
      });
      const devices = t.devices ?? [];
      if (devices.length === 0 && groupIds.length === 0) {
        throw invalidInput('body.targets.devices: either deviceGroups or devices is required');
      }
      for (const deviceId of devices) ownedDevice(deviceId, app);
      const p = body.policy ?? {};
      const task = service().create(
        {
          packageId: pkg.id,
          deviceIds: devices,
          groupIds,
          policy: {
            executeType: p.executeType ?? 'now',
            ...(p.startTime ? { startTime: isoOfNorthbound(p.startTime) } : {}),
            retryTimes: p.retryType ? (p.retryTimes ?? 1) : 0,
          },
        },
        app.appId,
      );
      return { status: 200, body: { operationId: task.taskId } };
    });
  }

  route('GET', `${BASE}/operations/:operationId`, (request, caller) => {
    const app = actingFor(authed(caller), undefined, 'query');
    const task = service().get((request.params as { operationId: string }).operationId, app.appId);
    return { status: 200, body: operationView(task, app.appId) };
  });
  route('GET', `${BASE}/operations/:operationId/subOperations`, (request, caller) => {
    const app = actingFor(authed(caller), undefined, 'query');
    const q = parse(subOpsQuery, request.query, 'query');
    const task = service().get((request.params as { operationId: string }).operationId, app.appId);
    const wanted = q.subOperationStatus === undefined ? undefined : statusOf(q.subOperationStatus);
    if (q.subOperationStatus !== undefined && wanted === undefined) {
      throw invalidInput(`query.subOperationStatus: one of ${Object.values(statusWords).join(', ')}`);
    }
    const all = service().subTasks(task.taskId, wanted, app.appId);
    const data = all.slice(q.pageNo * q.pageSize, (q.pageNo + 1) * q.pageSize).map((s) => ({
      subOperationId: s.subTaskId,
      createTime: time(task.createdAt),
      startTime: time(s.startedAt),
      stopTime: time(s.finishedAt),
      operateType: task.kind === 'software' ? 'softwareUpgrade' : 'firmwareUpgrade',
      deviceId: s.deviceId,
      status: statusWords[s.status],
      detailInfo: s.reason ?? '',
      extendInfo: { step: s.step, detail: s.detail, sourceVersion: s.sourceVersion, currentVersion: s.currentVersion },
    }));
    return { status: 200, body: { pageNo: q.pageNo, pageSize: q.pageSize, totalCount: all.length, data } };
  });
  route('GET', `${BASE}/operations`, (request, caller) => {
    const app = actingFor(authed(caller), undefined, 'query');
    const q = parse(opsQuery, request.query, 'query');
    const all = service()
      .list(app.appId)
      .filter((t) => {
        if (q.operationType && (t.kind === 'software') !== (q.operationType === 'softwareUpgrade')) return false;
        if (q.operationStatus && statusWords[t.status] !== q.operationStatus) return false;
        const pkg = packages().require(t.packageId);
        if (q.deviceType && pkg.deviceType !== q.deviceType) return false;
        if (q.model && pkg.model !== q.model) return false;
        if (q.manufacturerName && pkg.manufacturerName !== q.manufacturerName) return false;
        return (
          !q.deviceId ||
          service()
            .subTasks(t.taskId)
            .some((s) => s.deviceId === q.deviceId)
        );
      });
    const data = all.slice(q.pageNo * q.pageSize, (q.pageNo + 1) * q.pageSize).map((t) => operationView(t, app.appId));
    return { status: 200, body: { pageNo: q.pageNo, pageSize: q.pageSize, totalSize: all.length, data } };
  });
}
