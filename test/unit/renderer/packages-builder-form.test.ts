// The glue between the package forms and the contract: what the forms send and which field each problem lands on.
import { describe, expect, it } from 'vitest';
import {
  emptyBuilderForm,
  emptyFirmwareMetadata,
  firmwareMetadataProblems,
  firmwareProblems,
  identityFromProduct,
  softwareProblems,
  toSoftwareBuildInput,
  toUploadQuery,
  type BuilderForm,
} from '../../../renderer/features/packages/builderForm.js';

const filled: BuilderForm = {
  ...emptyBuilderForm,
  version: 'V1.1',
  deviceType: ' WaterMeter ',
  manufacturerName: 'HZYB',
  model: 'NBIoTDevice',
  protocolType: 'CoAP',
};

describe('software builder form', () => {
  it('a filled form with a file has no problems and trims the identity', () => {
    const input = toSoftwareBuildInput(filled, '/tmp/app.bin');
    expect(softwareProblems(input).size).toBe(0);
    expect(input).toMatchObject({ deviceType: 'WaterMeter', deviceShard: 500, platform: 'linux' });
    expect(input.versionCheckCode).toBeUndefined();
  });

  it('an empty form names every required field once, the file included', () => {
    const problems = softwareProblems(toSoftwareBuildInput(emptyBuilderForm, undefined));
    expect([...problems.keys()].sort()).toEqual(
      ['deviceType', 'filePath', 'manufacturerName', 'model', 'protocolType', 'version'].sort(),
    );
  });

  it('puts each rule on its field with the contract words', () => {
    const problems = softwareProblems(
      toSoftwareBuildInput(
        {
          ...filled,
          version: 'V1.1-this-is-far-too-long',
          deviceShard: 20,
          versionCheckCode: 'ABC',
          supportSourceVersionList: 'V1;;V2',
        },
        '/tmp/app.bin',
      ),
    );
    expect(problems.get('version')).toBe('the version must be at most 16 bytes');
    expect(problems.get('deviceShard')).toBe('deviceShard must be at least 32 bytes');
    expect(problems.get('versionCheckCode')).toContain('exactly 4');
    expect(problems.get('supportSourceVersionList')).toContain('item 2 is empty');
  });

  it('an emptied shard field (NumberInput gives "") is a problem, not a silent default', () => {
    const problems = softwareProblems(toSoftwareBuildInput({ ...filled, deviceShard: '' }, '/tmp/app.bin'));
    expect(problems.has('deviceShard')).toBe(true);
  });
});

describe('firmware builder', () => {
  it('needs a .bin file', () => {
    expect(firmwareProblems(undefined).get('binPath')).toBe('choose the .bin file');
    expect(firmwareProblems('/tmp/fw.hex').get('binPath')).toBe('a firmware package holds a .bin file');
    expect(firmwareProblems('/tmp/FW_V2.BIN').size).toBe(0);
  });
});

describe('firmware upload metadata', () => {
  it('empty metadata names the five fields a firmware package cannot do without', () => {
    expect([...firmwareMetadataProblems(emptyFirmwareMetadata).keys()].sort()).toEqual(
      ['deviceType', 'manufacturerName', 'model', 'protocolType', 'version'].sort(),
    );
  });

  it('filled metadata becomes the upload query, blank optional fields left out', () => {
    const form = {
      ...emptyFirmwareMetadata,
      version: 'V2.0',
      deviceType: 'Tracker',
      manufacturerName: 'HZYB',
      model: 'GPS1',
      protocolType: 'MQTT' as const,
      description: '  ',
    };
    expect(firmwareMetadataProblems(form).size).toBe(0);
    expect(toUploadQuery(form)).toEqual({
      version: 'V2.0',
      deviceType: 'Tracker',
      manufacturerName: 'HZYB',
      model: 'GPS1',
      protocolType: 'MQTT',
      supportSourceVersionList: undefined,
      description: undefined,
    });
  });

  it('checks the source versions and version length like the core does', () => {
    const problems = firmwareMetadataProblems({
      ...emptyFirmwareMetadata,
      version: 'V2.0-far-too-long-for-it',
      supportSourceVersionList: 'V1 beta',
    });
    expect(problems.get('version')).toBe('the version must be at most 16 bytes');
    expect(problems.get('supportSourceVersionList')).toContain('may only use letters');
  });
});

describe('identity from a product model', () => {
  const product = { deviceType: 'WaterMeter', manufacturerName: 'HZYB', model: 'NB1', protocolType: 'CoAP' };
  it('keeps a protocol the package kind supports', () => {
    expect(identityFromProduct(product, ['CoAP', 'LWM2M', 'MQTT'] as const).protocolType).toBe('CoAP');
  });
  it('leaves the protocol empty when the package kind cannot use it (firmware has no CoAP)', () => {
    expect(identityFromProduct(product, ['LWM2M', 'MQTT'] as const)).toEqual({
      deviceType: 'WaterMeter',
      manufacturerName: 'HZYB',
      model: 'NB1',
      protocolType: '',
    });
  });
});
