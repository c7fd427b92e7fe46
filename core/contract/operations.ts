// Operation records per device: config updates, software/firmware upgrades, reboots and log collections,
// each with its state and result, in one list.
import { z } from 'zod';
import { defineRoute } from './define.js';

export const operationKinds = [
  'configUpdate',
  'softwareUpgrade',
  'firmwareUpgrade',
  'reboot',
  'logCollection',
] as const;
export type OperationKind = (typeof operationKinds)[number];

export const operationStatuses = ['waiting', 'running', 'success', 'fail', 'stopped'] as const;

export const operationRecordSchema = z.object({
  kind: z.enum(operationKinds),
  /** The id in the owning capability: configId, upgrade sub-task id, diagnosis task id. */
  id: z.string(),
  /** The upgrade task, for upgrades. */
  taskId: z.string().nullable(),
  deviceId: z.string(),
  status: z.enum(operationStatuses),
  /** The result or the reason in English, e.g. "Upgraded", "AlreadyLatest: the device runs SW1.1.0". */
  result: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type OperationRecord = z.infer<typeof operationRecordSchema>;

export const operationRoutes = {
  deviceOperationRecords: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/operations',
    tag: 'operations',
    summary: "The device's operation records (config updates, upgrades, reboots, log collections), newest first",
    params: z.object({ id: z.string().min(1).max(160) }),
    query: z.object({ kind: z.enum(operationKinds).optional() }),
    response: z.object({ items: z.array(operationRecordSchema) }),
  }),
} as const;
