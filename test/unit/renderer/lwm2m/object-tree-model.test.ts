import { describe, expect, it } from 'vitest';
import { appendNotifications } from '../../../../renderer/features/lwm2m/liveNotifications.js';
import { instancesOf, valueText, withValues } from '../../../../renderer/features/lwm2m/objectTreeModel.js';

describe('LwM2M object tree model', () => {
  it('lists registered instances in order, hides the security object and bare objects that have instances', () => {
    const instances = instancesOf({
      objects: [
        { objectId: 19, instanceId: 1 },
        { objectId: 0, instanceId: 0 },
        { objectId: 3, instanceId: 0 },
        { objectId: 19 },
        { objectId: 19, instanceId: 0 },
        { objectId: 5 },
      ],
    });
    expect(instances.map((i) => i.key)).toEqual(['3/0', '5', '19/0', '19/1']);
  });

  it('shows the last value, lists multiple instances, and dates time resources', () => {
    let values = withValues(new Map(), [{ path: '/3/0/9', value: 87, type: 'integer' }], 1, 'read');
    values = withValues(
      values,
      [
        { path: '/3/0/7/1', value: 5000, type: 'integer' },
        { path: '/3/0/7/0', value: 3600, type: 'integer' },
        { path: '/3/0/13', value: 1767225600, type: 'time' },
      ],
      2,
      'notify',
    );
    expect(valueText(values, '/3/0/9')).toEqual({ text: '87', source: 'read' });
    expect(valueText(values, '/3/0/7')).toEqual({ text: '0: 3600, 1: 5000', source: 'notify' });
    expect(valueText(values, '/3/0/13')?.text).toBe('2026-01-01T00:00:00Z (1767225600)');
    expect(valueText(values, '/3/0/1')).toBeUndefined();
  });

  it("keeps only the device's newest notifications, newest first, within the limit", () => {
    const event = (deviceId: string, n: number) => ({ at: n, deviceId, path: '/19/0/0', payloadHex: n.toString(16) });
    let ring = appendNotifications([], [event('a', 1), event('b', 2), event('a', 3)], 'a', 3);
    expect(ring.map((e) => e.at)).toEqual([3, 1]);
    ring = appendNotifications(ring, [event('a', 4), event('a', 5)], 'a', 3);
    expect(ring.map((e) => e.at)).toEqual([5, 4, 3]);
    expect(appendNotifications(ring, [event('b', 6)], 'a', 3)).toBe(ring);
  });
});
