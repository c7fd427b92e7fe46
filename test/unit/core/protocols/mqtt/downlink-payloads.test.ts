import { describe, expect, it } from 'vitest';
import { iotdaCommand, legacyCommand } from '../../../../../core/protocols/mqtt/downlink-payloads.js';

const command = { serviceId: 'Light', commandName: 'SWITCH_LIGHT', paras: { value: 'ON' } };

describe('command requests', () => {
  it('writes a legacy cloudReq with the mid on the command topic (§2.4)', () => {
    const encoded = legacyCommand('p_1', 7, command);
    expect(encoded.topic).toBe('/huawei/v1/devices/p_1/command/json');
    expect(JSON.parse(encoded.payload)).toEqual({
      msgType: 'cloudReq',
      serviceId: 'Light',
      cmd: 'SWITCH_LIGHT',
      paras: { value: 'ON' },
      hasMore: 0,
      mid: 7,
    });
  });

  it('writes an IoTDA command on its request_id topic (§3.2)', () => {
    const encoded = iotdaCommand('p_1', 'r-9', command);
    expect(encoded.topic).toBe('$oc/devices/p_1/sys/commands/request_id=r-9');
    expect(JSON.parse(encoded.payload)).toEqual({
      object_device_id: 'p_1',
      service_id: 'Light',
      command_name: 'SWITCH_LIGHT',
      paras: { value: 'ON' },
    });
  });
});
