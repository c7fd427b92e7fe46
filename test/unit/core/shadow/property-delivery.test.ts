import { describe, expect, it } from 'vitest';
import { productModelSchema } from '../../../../core/contract/product-model.js';
import { deliveryOutcome, planPropertyDelivery, upperSnake } from '../../../../core/shadow/property-delivery.js';

const model = productModelSchema.parse({
  deviceType: 'WaterMeter',
  manufacturerId: 'M',
  manufacturerName: 'M',
  model: 'W1',
  protocolType: 'LWM2M',
  services: [
    {
      serviceId: 'WaterMeterBasic',
      serviceType: 'WaterMeterBasic',
      properties: [
        { name: 'deviceLevel', dataType: 'enum', method: 'RW', enumList: ['normal', 'debug'] },
        { name: 'temperatureReadPeriod', dataType: 'int', method: 'RW' },
        { name: 'flow', dataType: 'decimal', method: 'RE' },
      ],
      commands: [
        { name: 'SET_DEVICE_LEVEL', paras: [{ name: 'value', dataType: 'enum', enumList: ['normal', 'debug'] }] },
        { name: 'SET_TEMPERATURE_READ_PERIOD', paras: [{ name: 'value', dataType: 'int' }] },
      ],
    },
    {
      serviceId: 'DeliverySchedule',
      serviceType: 'DeliverySchedule',
      properties: [
        { name: 'startTime', dataType: 'string', method: 'RW' },
        { name: 'reportPeriod', dataType: 'int', method: 'RW' },
        { name: 'retryTimes', dataType: 'int', method: 'RW' },
      ],
      commands: [
        {
          name: 'SET_DELIVERY_SCHEDULE',
          paras: [
            { name: 'startTime', dataType: 'string', required: true },
            { name: 'reportPeriod', dataType: 'int', required: true },
          ],
        },
      ],
    },
  ],
});

describe('property delivery', () => {
  it('is one sys/properties/set for an IoTDA device', () => {
    expect(planPropertyDelivery(model, 'WaterMeterBasic', { deviceLevel: 'debug' }, 'propertiesSet')).toEqual({
      ok: true,
      commands: [{ kind: 'propertiesSet', serviceId: 'WaterMeterBasic', method: '', paras: { deviceLevel: 'debug' } }],
    });
  });

  it('uses SET_<PROPERTY> commands with their one para for codec and legacy devices', () => {
    expect(upperSnake('temperatureReadPeriod')).toBe('TEMPERATURE_READ_PERIOD');
    const plan = planPropertyDelivery(
      model,
      'WaterMeterBasic',
      { deviceLevel: 'debug', temperatureReadPeriod: 30 },
      'command',
    );
    expect(plan).toEqual({
      ok: true,
      commands: [
        { kind: 'command', serviceId: 'WaterMeterBasic', method: 'SET_DEVICE_LEVEL', paras: { value: 'debug' } },
        { kind: 'command', serviceId: 'WaterMeterBasic', method: 'SET_TEMPERATURE_READ_PERIOD', paras: { value: 30 } },
      ],
    });
  });

  it('uses a command whose paras are the properties, filling required paras from the current values', () => {
    expect(
      planPropertyDelivery(model, 'DeliverySchedule', { reportPeriod: 60 }, 'command', { startTime: '08:00' }),
    ).toEqual({
      ok: true,
      commands: [
        {
          kind: 'command',
          serviceId: 'DeliverySchedule',
          method: 'SET_DELIVERY_SCHEDULE',
          paras: { startTime: '08:00', reportPeriod: 60 },
        },
      ],
    });
    // Without a startTime to send along the command cannot be made.
    expect(planPropertyDelivery(model, 'DeliverySchedule', { reportPeriod: 60 }, 'command')).toMatchObject({
      ok: false,
    });
  });

  it('says which property no command of the model sets', () => {
    const plan = planPropertyDelivery(model, 'DeliverySchedule', { retryTimes: 3 }, 'command');
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.reason).toContain('retryTimes');
  });

  it('is delivered when every command reached the device, failed as soon as one failed', () => {
    expect(deliveryOutcome(['DELIVERED', 'SUCCESSFUL'])).toBe('delivered');
    expect(deliveryOutcome(['DELIVERED', 'SENT'])).toBe('open');
    expect(deliveryOutcome(['PENDING', 'TIMEOUT'])).toBe('failed');
    expect(deliveryOutcome(['EXPIRED'])).toBe('failed');
  });
});
