// Each capability's own view of an operation, as an operation record (R-12.3).
import type { ConfigUpdate } from '../contract/device-config.js';
import type { DiagnosisTask } from '../contract/diagnosis.js';
import type { OperationRecord } from '../contract/operations.js';
import type { OtaSubTask, OtaTask } from '../contract/ota.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

const configStatus = { WAITING: 'waiting', SENDING: 'running', SUCCESS: 'success', FAILED: 'fail' } as const;

export function configRecord(c: ConfigUpdate): OperationRecord {
  return {
    kind: 'configUpdate',
    id: c.configId,
    taskId: null,
    deviceId: c.deviceId,
    status: configStatus[c.status],
    result: c.reason ?? (c.status === 'SUCCESS' ? 'applied' : null),
    createdAt: new Date(c.createdAt).toISOString(),
    finishedAt: iso(c.finishedAt),
  };
}

const diagnosisStatus = { Waiting: 'waiting', Processing: 'running', Success: 'success', Fail: 'fail' } as const;

export function diagnosisRecord(t: DiagnosisTask): OperationRecord {
  return {
    kind: t.kind === 'reboot' ? 'reboot' : 'logCollection',
    id: t.taskId,
    taskId: null,
    deviceId: t.deviceId,
    status: diagnosisStatus[t.status],
    result: t.message ?? null,
    createdAt: t.createdAt,
    finishedAt: t.finishedAt ?? null,
  };
}

export function upgradeRecord(sub: OtaSubTask, task: Pick<OtaTask, 'kind' | 'createdAt'>): OperationRecord {
  const reason = sub.reason === null ? null : `${sub.reason}${sub.detail ? `: ${sub.detail}` : ''}`;
  return {
    kind: task.kind === 'software' ? 'softwareUpgrade' : 'firmwareUpgrade',
    id: sub.subTaskId,
    taskId: sub.taskId,
    deviceId: sub.deviceId,
    status: sub.status,
    result: reason,
    createdAt: sub.startedAt ?? task.createdAt,
    finishedAt: sub.finishedAt,
  };
}
