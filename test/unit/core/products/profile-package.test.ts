/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any -- the tests mutate raw profile JSON freely to build broken packages */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeZip } from '../../../../core/archive/safe-zip.js';
import {
  profileFiles,
  profileZipName,
  readProfileEntries,
  readProfileZip,
  writeProfileZip,
  type ProfileIssue,
} from '../../../../core/products/profile-package.js';
import { defaultSamplesDir, sampleEntries } from '../../../../core/products/product-samples.js';

const WATER_METER = 'WaterMeter_TestUtf8ManuId_NBIoTDevice';
const DEVICE = 'profile/devicetype-capability.json';
const BASIC = 'service/WaterMeterBasic/profile/servicetype-capability.json';
const BATTERY = 'service/Battery/profile/servicetype-capability.json';

type Json = Record<string, any>;

function sample(name = WATER_METER): Map<string, Uint8Array> {
  const entries = sampleEntries(defaultSamplesDir(), name);
  if (!entries) throw new Error(`sample ${name} missing`);
  return entries;
}

/** The water-meter sample with one file's JSON changed by `mutate`. */
function mutated(file: string, mutate: (json: Json) => void): Map<string, Uint8Array> {
  const entries = sample();
  const json = JSON.parse(new TextDecoder().decode(entries.get(file))) as Json;
  mutate(json);
  entries.set(file, new TextEncoder().encode(JSON.stringify(json)));
  return entries;
}

function refusal(entries: Map<string, Uint8Array>): ProfileIssue {
  const result = readProfileEntries(entries);
  if (result.ok) throw new Error('expected the profile to be refused');
  return result.error;
}

const basicProperty = (json: Json, name: string): Json =>
  (json.services[0].properties as Json[]).find((p) => p.propertyName === name)!;

describe('reading a profile package', () => {
  it('reads the water-meter sample into the normalized model', () => {
    const result = readProfileEntries(sample());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { model } = result;
    expect(model).toMatchObject({
      manufacturerId: 'TestUtf8ManuId',
      manufacturerName: 'HZYB',
      deviceType: 'WaterMeter',
      model: 'NBIoTDevice',
      protocolType: 'CoAP',
    });
    expect(model.services.map((s) => s.serviceId)).toEqual([
      'WaterMeterBasic',
      'WaterMeterAlarm',
      'Battery',
      'DeliverySchedule',
      'Connectivity',
    ]);
    const reading = model.services[0]!.properties.find((p) => p.name === 'currentReading')!;
    expect(reading).toMatchObject({ dataType: 'decimal', min: 0, max: 99999999.999, unit: 'm³', required: true });
    expect(model.services[0]!.commands.map((c) => c.name)).toEqual(['SET_DEVICE_LEVEL', 'SET_TEMPERATURE_READ_PERIOD']);
    expect(model.omCapability.upgrade).toEqual({ supported: true, protocol: 'PCP' });
    expect(model.omCapability.firmwareUpgrade).toEqual({ supported: true, protocol: 'LWM2M' });
    expect(result.warnings).toEqual([]);
  });

  it('reads the street-light sample with its custom topics', () => {
    const result = readProfileEntries(sample('StreetLight_WorkbenchSamples_SL100MQTT'));
    expect(result.ok && result.model.protocolType).toBe('MQTT');
    expect(result.ok && result.model.customTopics.map((t) => t.suffix)).toEqual(['faults', 'schedule']);
    expect(result.ok && result.model.services[0]!.commands[0]!.name).toBe('SWITCH_LIGHT');
  });

  it('accepts numbers written as numbers or strings, and nulls for absent values', () => {
    const entries = mutated(BATTERY, (json) => {
      const level = json.services[0].properties[0];
      level.min = 0;
      level.max = '100';
      level.unit = null;
      level.enumList = null;
      level.step = '';
      level.maxLength = 0;
    });
    const result = readProfileEntries(entries);
    expect(result.ok).toBe(true);
    const level = result.ok ? result.model.services[2]!.properties[0]! : undefined;
    expect(level).toMatchObject({ min: 0, max: 100 });
    expect(level?.unit).toBeUndefined();
    expect(level?.step).toBeUndefined();
    expect(level?.maxLength).toBeUndefined();
  });

  it('accepts a package zipped inside one top folder and names files as they are in the zip', () => {
    const nested = new Map([...sample()].map(([name, bytes]) => [`${WATER_METER}/${name}`, bytes]));
    expect(readProfileEntries(nested).ok).toBe(true);
    const json = JSON.parse(new TextDecoder().decode(nested.get(`${WATER_METER}/${BASIC}`))) as Json;
    basicProperty(json, 'flow').max = '-1';
    nested.set(`${WATER_METER}/${BASIC}`, new TextEncoder().encode(JSON.stringify(json)));
    expect(refusal(nested).file).toBe(`${WATER_METER}/${BASIC}`);
  });

  it('warns about naming conventions without refusing, naming the file and path', () => {
    const result = readProfileEntries(
      mutated(BATTERY, (json) => {
        json.services[0].properties[1].propertyName = 'Battery_threshold';
      }),
    );
    expect(result.ok).toBe(true);
    expect(result.warnings).toContainEqual(
      expect.objectContaining({
        code: 'NAMING_CONVENTION',
        file: BATTERY,
        path: 'services[0].properties[1].propertyName',
      }),
    );
  });
});

describe('every class of profile error names its file and JSON path', () => {
  const cases: { name: string; entries: () => Map<string, Uint8Array>; code: string; file: string; path: string }[] = [
    {
      name: 'max below min',
      entries: () => mutated(BASIC, (j) => (basicProperty(j, 'currentReading').max = '-5')),
      code: 'RANGE_INVERTED',
      file: BASIC,
      path: 'services[0].properties[0].max',
    },
    {
      name: 'a min that is not a number',
      entries: () => mutated(BASIC, (j) => (basicProperty(j, 'dailyActivityTime').min = 'zero')),
      code: 'PROFILE_INVALID_FIELD',
      file: BASIC,
      path: 'services[0].properties[2].min',
    },
    {
      name: 'an unknown dataType',
      entries: () => mutated(BATTERY, (j) => (j.services[0].properties[0].dataType = 'float')),
      code: 'PROFILE_INVALID_FIELD',
      file: BATTERY,
      path: 'services[0].properties[0].dataType',
    },
    {
      name: 'a negative step',
      entries: () => mutated(BATTERY, (j) => (j.services[0].properties[0].step = -1)),
      code: 'PROFILE_INVALID_FIELD',
      file: BATTERY,
      path: 'services[0].properties[0].step',
    },
    {
      name: 'an enumList on an int',
      entries: () => mutated(BATTERY, (j) => (j.services[0].properties[0].enumList = ['1', '2'])),
      code: 'ENUM_LIST_NOT_ALLOWED',
      file: BATTERY,
      path: 'services[0].properties[0].enumList',
    },
    {
      name: 'an enum without enumList',
      entries: () => mutated(BASIC, (j) => (basicProperty(j, 'deviceLevel').enumList = null)),
      code: 'ENUM_LIST_MISSING',
      file: BASIC,
      path: 'services[0].properties[6].enumList',
    },
    {
      name: 'a maxLength on an int',
      entries: () => mutated(BATTERY, (j) => (j.services[0].properties[0].maxLength = 10)),
      code: 'MAX_LENGTH_NOT_ALLOWED',
      file: BATTERY,
      path: 'services[0].properties[0].maxLength',
    },
    {
      name: 'a property defined twice',
      entries: () =>
        mutated(BATTERY, (j) => (j.services[0].properties[1].propertyName = j.services[0].properties[0].propertyName)),
      code: 'DUPLICATE_PROPERTY',
      file: BATTERY,
      path: 'services[0].properties[1].propertyName',
    },
    {
      name: 'a command defined twice',
      entries: () => mutated(BASIC, (j) => (j.services[0].commands[1].commandName = 'SET_DEVICE_LEVEL')),
      code: 'DUPLICATE_COMMAND',
      file: BASIC,
      path: 'services[0].commands[1].commandName',
    },
    {
      name: 'a command parameter with max below min',
      entries: () => mutated(BASIC, (j) => (j.services[0].commands[1].paras[0].max = '0')),
      code: 'RANGE_INVERTED',
      file: BASIC,
      path: 'services[0].commands[1].paras[0].max',
    },
    {
      name: 'a response field defined twice',
      entries: () =>
        mutated(BASIC, (j) =>
          j.services[0].commands[0].responses[0].paras.push(j.services[0].commands[0].responses[0].paras[0]),
        ),
      code: 'DUPLICATE_PARA',
      file: BASIC,
      path: 'services[0].commands[0].responses[0].paras[1].paraName',
    },
    {
      name: 'a serviceId listed twice',
      entries: () => mutated(DEVICE, (j) => (j.devices[0].serviceTypeCapabilities[2].serviceId = 'WaterMeterAlarm')),
      code: 'DUPLICATE_SERVICE_ID',
      file: DEVICE,
      path: 'devices[0].serviceTypeCapabilities[2].serviceId',
    },
    {
      name: 'a listed service type without its file',
      entries: () =>
        mutated(DEVICE, (j) =>
          j.devices[0].serviceTypeCapabilities.push({
            serviceId: 'Location',
            serviceType: 'Location',
            option: 'Optional',
          }),
        ),
      code: 'PROFILE_MISSING_SERVICE_FILE',
      file: DEVICE,
      path: 'devices[0].serviceTypeCapabilities[5].serviceType',
    },
    {
      name: 'a device file without manufacturerId',
      entries: () => mutated(DEVICE, (j) => delete j.devices[0].manufacturerId),
      code: 'PROFILE_INVALID_FIELD',
      file: DEVICE,
      path: 'devices[0].manufacturerId',
    },
    {
      name: 'an unknown protocolType',
      entries: () => mutated(DEVICE, (j) => (j.devices[0].protocolType = 'Zigbee')),
      code: 'PROFILE_INVALID_FIELD',
      file: DEVICE,
      path: 'devices[0].protocolType',
    },
    {
      name: 'a wildcard in a publish topic',
      entries: () =>
        mutated(DEVICE, (j) => {
          j.devices[0].protocolType = 'MQTT';
          j.devices[0].omCapability = {};
          j.devices[0].customTopics = [{ suffix: 'events/+', permission: 'publish' }];
        }),
      code: 'CUSTOM_TOPIC_WILDCARD',
      file: DEVICE,
      path: 'devices[0].customTopics[0].suffix',
    },
    {
      name: 'a name longer than 64 characters',
      entries: () => mutated(BATTERY, (j) => (j.services[0].properties[1].propertyName = 'b'.repeat(65))),
      code: 'PROFILE_INVALID_FIELD',
      file: BATTERY,
      path: 'services[0].properties[1].propertyName',
    },
    {
      name: 'a service file that is not JSON',
      entries: () => {
        const e = sample();
        e.set(BATTERY, new TextEncoder().encode('{"services": ['));
        return e;
      },
      code: 'PROFILE_BAD_JSON',
      file: BATTERY,
      path: '',
    },
    {
      name: 'a file that is not UTF-8',
      entries: () => {
        const e = sample();
        e.set(BATTERY, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
        return e;
      },
      code: 'PROFILE_BAD_ENCODING',
      file: BATTERY,
      path: '',
    },
    {
      name: 'a missing device file',
      entries: () => {
        const e = sample();
        e.delete(DEVICE);
        return e;
      },
      code: 'PROFILE_MISSING_DEVICE_FILE',
      file: DEVICE,
      path: '',
    },
    {
      name: 'a service type defined in two files',
      entries: () => {
        const e = sample();
        e.set('service/Battery2/profile/servicetype-capability.json', e.get(BATTERY)!);
        return e;
      },
      code: 'PROFILE_DUPLICATE_SERVICE_TYPE',
      file: 'service/Battery2/profile/servicetype-capability.json',
      path: 'services[0].serviceType',
    },
    {
      name: 'two devices in the device file',
      entries: () => mutated(DEVICE, (j) => j.devices.push(j.devices[0])),
      code: 'PROFILE_INVALID_FIELD',
      file: DEVICE,
      path: 'devices',
    },
  ];

  it.each(cases)('$name -> $code at $file $path', ({ entries, code, file, path }) => {
    const error = refusal(entries());
    expect({ code: error.code, file: error.file, path: error.path }).toEqual({ code, file, path });
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('refuses a zip that is not a zip with a zip error', async () => {
    const result = await readProfileZip(new TextEncoder().encode('not a zip at all'));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('ZIP_INVALID');
  });

  it('refuses a traversal name inside the package', async () => {
    const { rawZip } = await import('../archive/raw-zip.js');
    const result = await readProfileZip(
      rawZip([{ name: '../profile/devicetype-capability.json', data: new Uint8Array(2) }]),
    );
    expect(!result.ok && result.error.code).toBe('ZIP_UNSAFE_NAME');
  });

  it('never throws on random JSON in the profile files', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (device, service) => {
        const entries = new Map([
          [DEVICE, new TextEncoder().encode(JSON.stringify(device))],
          [BATTERY, new TextEncoder().encode(JSON.stringify(service))],
        ]);
        const result = readProfileEntries(entries);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('writing a profile package', () => {
  it('round-trips import -> export -> import to an equal model', async () => {
    for (const name of [WATER_METER, 'StreetLight_WorkbenchSamples_SL100MQTT', 'Gateway_WorkbenchSamples_GW100MQTT']) {
      const first = readProfileEntries(sample(name));
      if (!first.ok) throw new Error(first.error.message);
      const { bytes, fileName } = await writeProfileZip(first.model);
      expect(fileName).toBe(`${name}.zip`);
      const second = await readProfileZip(bytes);
      if (!second.ok) throw new Error(second.error.message);
      expect(second.model).toEqual(first.model);
    }
  });

  it('writes one file per service type and lists every serviceId', () => {
    const first = readProfileEntries(sample());
    if (!first.ok) throw new Error(first.error.message);
    const model = {
      ...first.model,
      services: [...first.model.services, { ...first.model.services[2]!, serviceId: 'Battery2' }],
    };
    const files = profileFiles(model);
    expect(files.map(([name]) => name)).toEqual([
      DEVICE,
      BASIC,
      'service/WaterMeterAlarm/profile/servicetype-capability.json',
      BATTERY,
      'service/DeliverySchedule/profile/servicetype-capability.json',
      'service/Connectivity/profile/servicetype-capability.json',
    ]);
    const reread = readProfileEntries(new Map(files.map(([n, t]) => [n, new TextEncoder().encode(t)])));
    expect(reread.ok && reread.model.services.map((s) => s.serviceId).at(-1)).toBe('Battery2');
  });

  it('exports a pass-through product with no services', async () => {
    const model = {
      deviceType: 'Gateway',
      manufacturerId: 'Acme',
      manufacturerName: 'Acme Ltd',
      model: 'GW-1',
      protocolType: 'MQTT' as const,
      services: [],
      omCapability: {},
      customTopics: [],
    };
    const back = await readProfileZip((await writeProfileZip(model)).bytes);
    expect(back.ok && back.model).toEqual(model);
  });

  it('names the zip {deviceType}_{manufacturerId}_{model}.zip with unsafe characters replaced', () => {
    expect(profileZipName({ deviceType: 'Water Meter', manufacturerId: 'a/b', model: 'X1' })).toBe(
      'Water-Meter_a-b_X1.zip',
    );
  });

  it('reads a zip built from the sample folder', async () => {
    const zip = await writeZip([...sample()]);
    expect((await readProfileZip(zip)).ok).toBe(true);
  });
});
