// What the upgrade views derive from sub-tasks and timelines: which devices wait for an app confirm, the traffic
// filter behind a device or one of its timeline lines, and a device's history joined with its tasks.
import type { OtaSubTask, OtaTask, OtaTimelineEntry } from '../../../core/contract/index.js';

/** A sub-task the app can confirm now (the core refuses any other with OTA_NOT_AWAITING_CONFIRM). */
export function awaitsConfirm(sub: Pick<OtaSubTask, 'status' | 'step'>): boolean {
  return sub.status === 'running' && sub.step === 'confirming';
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** The traffic filter of a device's upgrade frames: PCP only for a SOTA device over object 19. */
export function deviceFramesFilter(sub: Pick<OtaSubTask, 'deviceId' | 'method'>): string {
  const device = `device == ${quoted(sub.deviceId)}`;
  return sub.method === 'pcp-sota' ? `${device} && pcp.valid == true` : device;
}

/**
 * The frames behind one timeline line, read from what the line names (a PCP message and shard, an LwM2M path, the
 * block-wise download, an `$ota` event), or undefined for a line about a decision with no frame behind it.
 */
export function timelineFramesFilter(
  entry: Pick<OtaTimelineEntry, 'text'>,
  sub: Pick<OtaSubTask, 'deviceId' | 'method'>,
): string | undefined {
  const device = `device == ${quoted(sub.deviceId)}`;
  const text = entry.text;
  const pcp = /\bPCP (19|2[0-4])\b/.exec(text);
  if (pcp) {
    // "shard 37 asked again", "asked for shard 37", "first shard asked: 0".
    const shard = /\bshard (?:asked: )?(\d{1,5})\b/.exec(text);
    return `${device} && pcp.code == ${pcp[1]}${shard ? ` && pcp.shard == ${shard[1]}` : ''}`;
  }
  if (/block-wise download/.test(text)) return `${device} && coap.uri contains "/fw/"`;
  if (/\$ota\b/.test(text)) return `${device} && payload contains "$ota"`;
  if (/\bRSRP\b|coverage query/.test(text)) return `${device} && lwm2m.object == 4`;
  const path = /(?:^|\s)\/(\d{1,5})\/(\d{1,5})(\/\d{1,5})?(?=[\s;:,)]|$)/.exec(text);
  if (path) {
    // Object 5's resources are one flow (observe State, write URI, execute, read result): show them together.
    if (path[1] === '5' || path[3] === undefined) return `${device} && lwm2m.object == ${path[1]}`;
    return `${device} && lwm2m.path == "/${path[1]}/${path[2]}${path[3]}"`;
  }
  // The success line names no frame, but the device's own result report is behind it.
  if (/\bnow running\b/.test(text)) return `${device} && ${resultFramesOf[sub.method]}`;
  return undefined;
}

const resultFramesOf: Record<OtaSubTask['method'], string> = {
  'pcp-sota': 'pcp.code == 24',
  'lwm2m-fota': 'lwm2m.object == 5',
  'mqtt-ota': 'payload contains "upgrade_progress_report"',
};

export interface DeviceUpgradeRow {
  sub: OtaSubTask;
  /** The task of the sub-task, when the task list holds it (a deleted task leaves none). */
  task: OtaTask | undefined;
  /** The version the device ran before (null until it was read). */
  from: string | null;
  /** The task's target version (or the version the device reports, when it reported one). */
  to: string | null;
}

/** A device's sub-tasks, newest first as the core lists them, each with its task and from → to versions. */
export function deviceUpgradeRows(subs: readonly OtaSubTask[], tasks: readonly OtaTask[]): DeviceUpgradeRow[] {
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  return subs.map((sub) => {
    const task = byId.get(sub.taskId);
    return { sub, task, from: sub.sourceVersion, to: task?.targetVersion ?? sub.currentVersion };
  });
}

/** True when a live `task` event (kind `ota.device`, message `<deviceId> <step> …`) is about this device. */
export function isEventOfDevice(event: { kind: string; message?: string | undefined }, deviceId: string): boolean {
  return event.kind === 'ota.device' && (event.message?.startsWith(`${deviceId} `) ?? false);
}
