import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OtaSubTask, OtaTask } from '../../../../core/contract/index.js';
import type { FieldValues } from '../../../../core/traffic/decode/layer-types.js';
import { evaluateFilter } from '../../../../core/traffic/filter/filter-eval.js';
import { parseFilter } from '../../../../core/traffic/filter/filter-parser.js';
import {
  awaitsConfirm,
  deviceFramesFilter,
  deviceUpgradeRows,
  isEventOfDevice,
  timelineFramesFilter,
} from '../../../../renderer/features/upgrades/upgradeView.js';

const DEVICE = 'prod_863703037000003';

function sub(over: Partial<OtaSubTask> = {}): OtaSubTask {
  return {
    subTaskId: 's1',
    taskId: 't1',
    deviceId: DEVICE,
    method: 'pcp-sota',
    status: 'running',
    step: 'downloading',
    reason: null,
    detail: null,
    attempts: 1,
    sourceVersion: 'V1.0',
    currentVersion: null,
    cellId: null,
    coverageLevel: null,
    progress: 0,
    startedAt: null,
    finishedAt: null,
    ...over,
  };
}

/** Whether the traffic view would show a frame with these fields for the filter. */
const shows = (filter: string | undefined, values: FieldValues) => evaluateFilter(parseFilter(filter ?? ''), values);

describe('upgrade views', () => {
  it('offers the app confirm only to a running device at the confirming step', () => {
    expect(awaitsConfirm(sub({ step: 'confirming' }))).toBe(true);
    expect(awaitsConfirm(sub({ step: 'downloaded' }))).toBe(false);
    expect(awaitsConfirm(sub({ step: 'confirming', status: 'fail' }))).toBe(false);
  });

  it("filters a SOTA device's frames to its valid PCP messages, other methods to the device", () => {
    const pcp = deviceFramesFilter(sub());
    expect(shows(pcp, { device: DEVICE, 'pcp.valid': true, 'pcp.code': 21 })).toBe(true);
    expect(shows(pcp, { device: DEVICE, 'coap.uri': '/19/0/0' })).toBe(false);
    expect(shows(pcp, { device: 'other', 'pcp.valid': true })).toBe(false);
    const fota = deviceFramesFilter(sub({ method: 'lwm2m-fota' }));
    expect(shows(fota, { device: DEVICE, 'lwm2m.path': '/5/0/1' })).toBe(true);
  });

  it('quotes a device id holding quotes or backslashes so the filter still parses', () => {
    const odd = 'a"b\\c';
    expect(shows(deviceFramesFilter(sub({ deviceId: odd, method: 'mqtt-ota' })), { device: odd })).toBe(true);
  });

  it('links a PCP timeline line to that message, and a shard line to that shard only', () => {
    const shard = timelineFramesFilter({ text: 'PCP 21 shard 37 asked again (3 times)' }, sub());
    expect(shard).toBe(`device == "${DEVICE}" && pcp.code == 21 && pcp.shard == 37`);
    expect(shows(shard, { device: DEVICE, 'pcp.code': 21, 'pcp.shard': 37 })).toBe(true);
    expect(shows(shard, { device: DEVICE, 'pcp.code': 21, 'pcp.shard': 36 })).toBe(false);
    const query = timelineFramesFilter({ text: 'PCP 19 reply: result 0, current version V1.0' }, sub());
    expect(shows(query, { device: DEVICE, 'pcp.code': 19 })).toBe(true);
    expect(shows(query, { device: DEVICE, 'pcp.code': 20 })).toBe(false);
    expect(timelineFramesFilter({ text: 'PCP 21 first shard asked: 0' }, sub())).toBe(
      `device == "${DEVICE}" && pcp.code == 21 && pcp.shard == 0`,
    );
    expect(timelineFramesFilter({ text: 'PCP 21 asked for shard 99: no such shard (0x81)' }, sub())).toContain(
      'pcp.shard == 99',
    );
    // "of 41 shards" names no one shard.
    expect(timelineFramesFilter({ text: 'PCP 22: downloaded 41 of 41 shards' }, sub())).toBe(
      `device == "${DEVICE}" && pcp.code == 22`,
    );
  });

  it('links LwM2M lines to the path read, object 5 lines to the whole firmware object, coverage to object 4', () => {
    const fota = sub({ method: 'lwm2m-fota' });
    const version = timelineFramesFilter({ text: 'reading the firmware version /3/0/3' }, fota);
    expect(shows(version, { device: DEVICE, 'lwm2m.path': '/3/0/3', 'lwm2m.object': 3 })).toBe(true);
    expect(shows(version, { device: DEVICE, 'lwm2m.path': '/3/0/0', 'lwm2m.object': 3 })).toBe(false);
    const write = timelineFramesFilter(
      { text: 'observing /5/0/3; writing coap://127.0.0.1:5683/fw/s1/V2 to /5/0/1' },
      fota,
    );
    expect(shows(write, { device: DEVICE, 'lwm2m.path': '/5/0/2', 'lwm2m.object': 5 })).toBe(true);
    const radio = timelineFramesFilter({ text: 'RSRP -80 dBm, SINR 15 dB: level 0, cell 4711' }, fota);
    expect(shows(radio, { device: DEVICE, 'lwm2m.path': '/4/0', 'lwm2m.object': 4 })).toBe(true);
    expect(timelineFramesFilter({ text: 'reading /4/0' }, fota)).toBe(`device == "${DEVICE}" && lwm2m.object == 4`);
    const blocks = timelineFramesFilter({ text: 'block-wise download started (512-byte blocks, 4096 bytes)' }, fota);
    expect(shows(blocks, { device: DEVICE, 'coap.uri': '/fw/s1/V2?x' })).toBe(true);
  });

  it('links $ota lines to the MQTT messages of the $ota service, and decisions to nothing', () => {
    const mqtt = sub({ method: 'mqtt-ota' });
    const f = timelineFramesFilter({ text: '$ota version_query sent' }, mqtt);
    expect(shows(f, { device: DEVICE, payload: '{"services":[{"service_id":"$ota"}]}' })).toBe(true);
    expect(shows(f, { device: DEVICE, payload: '{"services":[{"service_id":"meter"}]}' })).toBe(false);
    expect(timelineFramesFilter({ text: 'app confirmed the upgrade' }, sub())).toBeUndefined();
    // The success line: the device's result report behind it, by method.
    const done = { text: 'success: Upgraded (now running V1.1)' };
    expect(shows(timelineFramesFilter(done, sub()), { device: DEVICE, 'pcp.code': 24 })).toBe(true);
    expect(shows(timelineFramesFilter(done, sub()), { device: DEVICE, 'pcp.code': 23 })).toBe(false);
    expect(
      shows(timelineFramesFilter(done, mqtt), { device: DEVICE, payload: '"event_type":"upgrade_progress_report"' }),
    ).toBe(true);
    expect(timelineFramesFilter({ text: 'waiting for the app to confirm the upgrade' }, sub())).toBeUndefined();
  });

  it('never throws on garbage timeline text, and whatever it returns parses as a traffic filter', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^(PCP \d{1,3}|shard \d{1,7}|\/\d{1,6}\/\d{1,6}(\/\d{1,6})?|\$ota|RSRP|[ ;:,)])*$/),
        ),
        fc.string(),
        fc.constantFrom<OtaSubTask['method'][]>('pcp-sota', 'lwm2m-fota', 'mqtt-ota'),
        (text, deviceId, method) => {
          const filter = timelineFramesFilter({ text }, { deviceId, method });
          if (filter !== undefined) expect(() => parseFilter(filter)).not.toThrow();
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("joins a device's sub-tasks with their tasks for the from → to versions, keeping the core's order", () => {
    const task = { taskId: 't1', name: 'Spring rollout', targetVersion: 'V1.1' } as OtaTask;
    const rows = deviceUpgradeRows(
      [sub({ subTaskId: 'new', taskId: 't1' }), sub({ subTaskId: 'old', taskId: 'gone', currentVersion: 'V0.9' })],
      [task],
    );
    expect(rows.map((r) => [r.sub.subTaskId, r.task?.name, r.from, r.to])).toEqual([
      ['new', 'Spring rollout', 'V1.0', 'V1.1'],
      ['old', undefined, 'V1.0', 'V0.9'],
    ]);
  });

  it('tells the live events of a device from those of a device whose id it prefixes', () => {
    expect(isEventOfDevice({ kind: 'ota.device', message: `${DEVICE} downloading` }, DEVICE)).toBe(true);
    expect(isEventOfDevice({ kind: 'ota.device', message: `${DEVICE}9 downloading` }, DEVICE)).toBe(false);
    expect(isEventOfDevice({ kind: 'ota', message: `${DEVICE} x` }, DEVICE)).toBe(false);
    expect(isEventOfDevice({ kind: 'ota.device' }, DEVICE)).toBe(false);
  });
});
