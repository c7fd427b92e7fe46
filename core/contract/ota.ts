// OTA upgrade tasks: a package from the library to devices, one sub-task per device with its step,
// reason and timeline, and the per-cell concurrency the coverage rules allow.
import { z } from 'zod';
import { defineRoute } from './define.js';

export const otaTaskStatuses = ['waiting', 'running', 'stopped', 'success', 'fail'] as const;
export type OtaTaskStatus = (typeof otaTaskStatuses)[number];

export const otaDeviceStatuses = ['waiting', 'running', 'success', 'fail', 'stopped'] as const;
export type OtaDeviceStatus = (typeof otaDeviceStatuses)[number];

/** How a device is upgraded: object 5 (FOTA), PCP over object 19 (SOTA) or IoTDA `$ota` over MQTT. */
export const otaMethods = ['lwm2m-fota', 'pcp-sota', 'mqtt-ota'] as const;
export type OtaMethod = (typeof otaMethods)[number];

/** Where a sub-task is in its flow; the UI words each step. */
export const otaSteps = [
  'queued',
  'checkingVersion',
  'readingCoverage',
  'waitingSlot',
  'notifying',
  'downloading',
  'downloaded',
  'confirming',
  'updating',
  'done',
] as const;
export type OtaStep = (typeof otaSteps)[number];

/** Why a sub-task waits or ended as it did (the platform's execution detail, and the device's result codes). */
export const otaReasons = [
  'WaitingDeviceOnline',
  'WaitingStartTime',
  'CommandsPending',
  'WaitingCoverageSlot',
  'WaitingAppConfirm',
  'WaitingRetry',
  /** The task's rollout rate (devices started per minute) holds the device back for now. */
  'WaitingRollout',
  'TaskConflict',
  'AlreadyLatest',
  'SourceVersionNotSupported',
  'DeviceBusy',
  'PoorSignal',
  'LowBattery',
  'NoSpace',
  'NoMemory',
  'DownloadTimeout',
  'CheckFailed',
  'TypeUnsupported',
  'InstallFailed',
  'InternalError',
  'CellUnknown',
  'DeviceTimeout',
  'DeviceRefused',
  'Stopped',
  'AbortThreshold',
  'Upgraded',
] as const;
export type OtaReason = (typeof otaReasons)[number];

/** Coverage level 0–2, or `unknown` when the coverage query failed but the cell id is known. */
export const coverageLevels = ['0', '1', '2', 'unknown'] as const;
export type CoverageLevel = (typeof coverageLevels)[number];

export const otaPolicySchema = z.object({
  /** `now`: devices online now start now, the others when they come online; `custom`: at startTime; `device_online`:
   * each device when it next comes online or reports. */
  executeType: z.enum(['now', 'custom', 'device_online']).default('now'),
  startTime: z.iso.datetime().optional(),
  retryTimes: z.number().int().min(0).max(10).default(0),
  retryIntervalS: z.number().int().min(1).max(86_400).default(120),
  /** A step with no progress from the device for this long fails (and may be retried). */
  stepTimeoutS: z.number().int().min(5).max(86_400).default(300),
  /** Rollout rate: devices started in any 60 s window (0: no limit). With a ramp this is the starting rate. */
  ratePerMinute: z.number().int().min(0).max(100_000).default(0),
  /** Ramp-up: the rate doubles every rampDoubleEveryS seconds after the task started, up to rampMaxPerMinute. */
  rampDoubleEveryS: z.number().int().min(1).max(86_400).optional(),
  rampMaxPerMinute: z.number().int().min(1).max(100_000).optional(),
  /** Abort threshold: the task stops when more than abortPercent % of the first abortAfter devices to finish
   * fail (decided as soon as it is certain; after those devices the threshold no longer applies). */
  abortPercent: z.number().min(0).max(100).optional(),
  abortAfter: z.number().int().min(1).optional(),
});
export type OtaPolicy = z.output<typeof otaPolicySchema>;

export const createOtaTaskSchema = z.object({
  packageId: z.string().min(1).max(64),
  /** Targets: devices, groups (with their sub-groups) and tags, resolved once when the task is created. */
  deviceIds: z.array(z.string().min(1).max(160)).max(10_000).default([]),
  groupIds: z.array(z.string().min(1).max(64)).max(256).default([]),
  tagIds: z.array(z.string().min(1).max(64)).max(256).default([]),
  policy: otaPolicySchema.default({
    executeType: 'now',
    retryTimes: 0,
    retryIntervalS: 120,
    stepTimeoutS: 300,
    ratePerMinute: 0,
  }),
  /** SOTA: the device installs only after the app confirms the download (POST …/confirm). */
  appConfirm: z.boolean().default(false),
  name: z.string().max(128).optional(),
});
export type CreateOtaTask = z.input<typeof createOtaTaskSchema>;

export const otaCountsSchema = z.object({
  total: z.number().int(),
  waiting: z.number().int(),
  running: z.number().int(),
  success: z.number().int(),
  fail: z.number().int(),
  stopped: z.number().int(),
});

export const otaTaskSchema = z.object({
  taskId: z.string(),
  name: z.string(),
  kind: z.enum(['firmware', 'software']),
  packageId: z.string(),
  packageName: z.string(),
  targetVersion: z.string(),
  policy: otaPolicySchema,
  appConfirm: z.boolean(),
  status: z.enum(otaTaskStatuses),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  counts: otaCountsSchema,
  /** What the targets resolved to at creation: each named device list, group and tag with its device count. */
  resolvedTargets: z.array(
    z.object({
      kind: z.enum(['devices', 'group', 'tag']),
      id: z.string(),
      deviceCount: z.number().int(),
      /** Devices of the group or tag the package does not fit (another product), left out. */
      skipped: z.number().int(),
    }),
  ),
  /** Why the task stopped early (the abort threshold), else null. */
  stopReason: z.string().nullable(),
});
export type OtaTask = z.infer<typeof otaTaskSchema>;

export const otaSubTaskSchema = z.object({
  subTaskId: z.string(),
  taskId: z.string(),
  deviceId: z.string(),
  method: z.enum(otaMethods),
  status: z.enum(otaDeviceStatuses),
  step: z.enum(otaSteps),
  reason: z.enum(otaReasons).nullable(),
  /** The device's own detail for the reason, e.g. "shard 37 never acknowledged". */
  detail: z.string().nullable(),
  attempts: z.number().int(),
  sourceVersion: z.string().nullable(),
  currentVersion: z.string().nullable(),
  cellId: z.string().nullable(),
  coverageLevel: z.enum(coverageLevels).nullable(),
  /** SOTA: the shards served so far and the shard count; FOTA: blocks served. */
  progress: z.number().min(0).max(100),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type OtaSubTask = z.infer<typeof otaSubTaskSchema>;

export const otaTimelineEntrySchema = z.object({
  at: z.string(),
  step: z.enum(otaSteps),
  /** What happened, in English: the frame sent or received, the answer, the decision. */
  text: z.string(),
});
export type OtaTimelineEntry = z.infer<typeof otaTimelineEntrySchema>;

export const otaCellSchema = z.object({
  cellId: z.string(),
  /** The weakest coverage level any of the task's devices in this cell reported (it stays once they are done). */
  level: z.enum(coverageLevels),
  running: z.number().int(),
  waiting: z.number().int(),
  limit: z.number().int(),
  /** The most devices of this cell that were upgrading at once. */
  peak: z.number().int(),
});
export type OtaCell = z.infer<typeof otaCellSchema>;

const taskParams = z.object({ taskId: z.string().min(1).max(64) });
const subTaskParams = z.object({ subTaskId: z.string().min(1).max(64) });
const deviceParams = z.object({ id: z.string().min(1).max(160) });

export const otaRoutes = {
  createOtaTask: defineRoute({
    method: 'POST',
    path: '/api/ota/tasks',
    tag: 'ota',
    summary: 'Create an upgrade task: a package from the library to devices, with its policy',
    body: createOtaTaskSchema,
    response: otaTaskSchema,
    status: 201,
  }),
  listOtaTasks: defineRoute({
    method: 'GET',
    path: '/api/ota/tasks',
    tag: 'ota',
    summary: 'Upgrade tasks, newest first',
    response: z.object({ tasks: z.array(otaTaskSchema) }),
  }),
  getOtaTask: defineRoute({
    method: 'GET',
    path: '/api/ota/tasks/:taskId',
    tag: 'ota',
    summary: 'One upgrade task with its counts by device state',
    params: taskParams,
    response: otaTaskSchema,
  }),
  listOtaSubTasks: defineRoute({
    method: 'GET',
    path: '/api/ota/tasks/:taskId/devices',
    tag: 'ota',
    summary: "The task's per-device sub-tasks: state, step, reason, times",
    params: taskParams,
    query: z.object({ status: z.enum(otaDeviceStatuses).optional() }),
    response: z.object({ items: z.array(otaSubTaskSchema) }),
  }),
  listOtaCells: defineRoute({
    method: 'GET',
    path: '/api/ota/tasks/:taskId/cells',
    tag: 'ota',
    summary: 'Per-cell concurrency: coverage level, devices upgrading, the limit and the peak',
    params: taskParams,
    response: z.object({ cells: z.array(otaCellSchema) }),
  }),
  stopOtaTask: defineRoute({
    method: 'POST',
    path: '/api/ota/tasks/:taskId/stop',
    tag: 'ota',
    summary: 'Stop the task: devices not yet started are stopped, devices upgrading finish',
    params: taskParams,
    response: otaTaskSchema,
  }),
  retryOtaTask: defineRoute({
    method: 'POST',
    path: '/api/ota/tasks/:taskId/retry',
    tag: 'ota',
    summary: "Start the task's failed devices again",
    params: taskParams,
    response: otaTaskSchema,
  }),
  deleteOtaTask: defineRoute({
    method: 'DELETE',
    path: '/api/ota/tasks/:taskId',
    tag: 'ota',
    summary: 'Delete a task that is not running',
    params: taskParams,
    response: z.object({ deleted: z.literal(true) }),
  }),
  confirmOtaSubTask: defineRoute({
    method: 'POST',
    path: '/api/ota/subtasks/:subTaskId/confirm',
    tag: 'ota',
    summary: 'App confirm: let a device that downloaded the package install it',
    params: subTaskParams,
    response: otaSubTaskSchema,
  }),
  otaSubTaskTimeline: defineRoute({
    method: 'GET',
    path: '/api/ota/subtasks/:subTaskId/timeline',
    tag: 'ota',
    summary: "A device's upgrade timeline: every step with its time and the frames behind it",
    params: subTaskParams,
    response: z.object({ entries: z.array(otaTimelineEntrySchema) }),
  }),
  deviceOtaHistory: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/ota',
    tag: 'ota',
    summary: "A device's upgrade history (its sub-tasks, newest first)",
    params: deviceParams,
    response: z.object({ items: z.array(otaSubTaskSchema) }),
  }),
} as const;
