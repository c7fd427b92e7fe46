// Each DomainError code answers with the platform's error_code on the northbound API (§1.1).
import { describe, expect, it } from 'vitest';
import { errorStatuses } from '../../../../core/api/error-statuses.js';
import { AuthRefusal } from '../../../../core/apps/index.js';
import { DomainError } from '../../../../core/domain-error.js';
import { NorthboundError, toNorthboundError } from '../../../../core/northbound/northbound-errors.js';

// Written out rather than derived: the platform's own codes, 100022 for any other refusal, 50252 for failures.
const expectedNorthbound: [code: string, status: number, errorCode: string][] = [
  ['ALARM_CLEARED', 400, '100022'],
  ['ALARM_NOT_FOUND', 400, '100022'],
  ['APP_EXISTS', 400, '100022'],
  ['APP_HAS_DEVICES', 400, '100022'],
  ['APP_IS_DEFAULT', 400, '100022'],
  ['APP_NAME_TAKEN', 400, '100022'],
  ['APP_NOT_FOUND', 400, '100022'],
  ['BAD_CALLBACK_URL', 400, '100022'],
  ['BAD_CERTIFICATE', 400, '100022'],
  ['BAD_COMMAND', 400, '100022'],
  ['BAD_CONFIG', 400, '100022'],
  ['BAD_CREDENTIALS', 401, '100208'],
  ['BAD_DESIRED', 400, '100022'],
  ['BAD_HEX', 400, '100022'],
  ['BAD_KEY', 400, '100022'],
  ['BAD_NODE_ID', 400, '100022'],
  ['BAD_REFRESH_TOKEN', 401, '1010005'],
  ['BAD_REQUEST', 400, '100022'],
  ['BAD_RULE', 400, '100022'],
  ['BAD_SECRET', 400, '100022'],
  ['BAD_TIME', 400, '100022'],
  ['BAD_TOKEN', 401, '1010005'],
  ['BIND_ALREADY_BOUND', 400, '100022'],
  ['BIND_CODE_EXPIRED', 400, '100022'],
  ['BIND_NOT_REGISTERED', 400, '100022'],
  ['BIND_WRONG_CODE', 400, '100022'],
  ['BRING_UP_RUNNING', 400, '100022'],
  ['BRING_UP_UNAVAILABLE', 500, '50252'],
  ['CA_NOT_FOUND', 400, '100022'],
  ['COAP_PORT_CLOSED', 500, '50252'],
  ['CODEC_NOT_FOUND', 400, '100022'],
  ['CODEC_VERSION_NOT_FOUND', 400, '100022'],
  ['COMMAND_BATCH_NOT_FOUND', 400, '100022'],
  ['COMMAND_NOT_FOUND', 404, '100434'],
  ['COMMAND_NOT_PENDING', 400, '100435'],
  ['CONFIG_NOT_FOUND', 400, '100022'],
  ['CSV_EMPTY', 400, '100022'],
  ['CSV_TOO_LARGE', 400, '100022'],
  ['DEVICE_EXISTS', 409, '100416'],
  ['DEVICE_NOT_FOUND', 404, '100403'],
  ['DEVICE_NOT_READY', 400, '100022'],
  ['DIAGNOSIS_NOT_SUPPORTED', 400, '100022'],
  ['DIAGNOSIS_TASK_OPEN', 400, '100022'],
  ['DISCOVERY_NOT_SUPPORTED', 400, '100022'],
  ['FILE_NOT_FOUND', 400, '100022'],
  ['FILE_TOO_LARGE', 400, '100022'],
  ['FILTER_INVALID', 400, '100022'],
  ['FLASH_BAD_IMAGE', 400, '100022'],
  ['FLASH_FAILED', 500, '50252'],
  ['FLASH_INTERRUPTED', 400, '100022'],
  ['FLASH_NOT_FOUND', 400, '100022'],
  ['FLASH_NO_BOOTLOADER', 400, '100022'],
  ['FLASH_PORT_LOST', 400, '100022'],
  ['FLASH_PROTECTED', 400, '100022'],
  ['FLASH_UNSIGNED_IMAGE', 400, '100022'],
  ['FLASH_VERIFY_FAILED', 400, '100022'],
  ['FLASH_WRONG_BOOT_MODE', 400, '100022'],
  ['FLASH_WRONG_CHIP', 400, '100022'],
  ['FLEET_NOT_FOUND', 400, '100022'],
  ['FRAME_NOT_FOUND', 400, '100022'],
  ['GATEWAY_IS_SUB_DEVICE', 400, '100022'],
  ['GATEWAY_NOT_FOUND', 400, '100022'],
  ['GRANT_NOT_FOUND', 400, '100022'],
  ['GRANT_TO_SELF', 400, '100022'],
  ['GROUP_CYCLE', 400, '100022'],
  ['GROUP_DEFAULT_PROTECTED', 400, '100022'],
  ['GROUP_DEVICE_NOT_HELD', 403, '100217'],
  ['GROUP_FULL', 409, '100601'],
  ['GROUP_NAME_TAKEN', 409, '100602'],
  ['GROUP_NOT_FOUND', 404, '100603'],
  ['GROUP_TOO_DEEP', 400, '100022'],
  ['GROUP_TOO_MANY_DEVICES', 400, '100609'],
  ['KEY_EXISTS', 400, '100022'],
  ['KEY_NOT_FOUND', 400, '100022'],
  ['LOG_NOT_COLLECTED', 400, '100022'],
  ['LWM2M_BAD_REQUEST', 400, '100022'],
  ['LWM2M_NOTHING_TO_WRITE', 400, '100022'],
  ['LWM2M_NOT_REGISTERED', 400, '100022'],
  ['LWM2M_RESET', 500, '50252'],
  ['LWM2M_STOPPED', 500, '50252'],
  ['LWM2M_TIMEOUT', 500, '50252'],
  ['MODULE_NOT_FOUND', 400, '100022'],
  ['MQTT_PORT_CLOSED', 500, '50252'],
  ['NOTHING_TO_REPORT', 400, '100022'],
  ['NOT_AN_LWM2M_PRODUCT', 400, '100022'],
  ['NOT_AN_MQTT_PRODUCT', 400, '100022'],
  ['NOT_A_GATEWAY', 400, '100022'],
  ['NOT_A_LAYOUT', 400, '100022'],
  ['NOT_A_LOG_TASK', 400, '100022'],
  ['NOT_A_SUB_DEVICE', 400, '100022'],
  ['NOT_SIMULATED', 400, '100022'],
  ['NO_FRAME_SOURCE', 400, '100022'],
  ['OTA_BAD_POLICY', 400, '100022'],
  ['OTA_NO_TARGET', 400, '100022'],
  ['OTA_NOTHING_TO_RETRY', 400, '100022'],
  ['OTA_NOT_AWAITING_CONFIRM', 400, '100022'],
  ['OTA_PACKAGE_MISMATCH', 400, '100022'],
  ['OTA_SUBTASK_NOT_FOUND', 400, '100022'],
  ['OTA_TASK_NOT_FOUND', 404, '100022'],
  ['OTA_TASK_NOT_OPEN', 400, '100022'],
  ['OTA_TASK_RUNNING', 400, '100022'],
  ['PACKAGE_CHANGED', 400, '100022'],
  ['PACKAGE_EXISTS', 400, '100022'],
  ['PACKAGE_IN_USE', 400, '100022'],
  ['PACKAGE_NOT_FOUND', 400, '100022'],
  ['PACKAGE_TOO_LARGE', 400, '100022'],
  ['PORT_BUSY', 400, '100022'],
  ['PORT_OPEN_FAILED', 400, '100022'],
  ['PRODUCT_EXISTS', 400, '100022'],
  ['PRODUCT_IN_USE', 400, '100022'],
  ['PRODUCT_NOT_FOUND', 400, '100022'],
  ['PRODUCT_VERSION_CONFLICT', 400, '100022'],
  ['RULE_ALARM_WITH_TIMER', 400, '100022'],
  ['RULE_NOT_FOUND', 404, '100022'],
  ['SAMPLE_CODEC_NOT_FOUND', 400, '100022'],
  ['SAMPLE_NOT_FOUND', 400, '100022'],
  ['SCRIPT_NOT_FOUND', 400, '100022'],
  ['SESSION_NOT_FOUND', 400, '100022'],
  ['SESSION_NOT_OPEN', 400, '100022'],
  ['SIMULATION_FAILED', 500, '50252'],
  ['SIMULATION_NOT_FOUND', 400, '100022'],
  ['SOCAT_MISSING', 500, '50252'],
  ['SUBSCRIPTION_NOT_FOUND', 404, '100022'],
  ['TARGET_IN_USE', 400, '100022'],
  ['TARGET_NOT_FOUND', 400, '100022'],
  ['TAG_EXISTS', 400, '100022'],
  ['TAG_NOT_FOUND', 400, '100022'],
  ['TASK_NOT_FOUND', 400, '100022'],
  ['TOPIC_NOT_DEVICE', 400, '100022'],
  ['UNSUPPORTED_MEDIA_TYPE', 400, '100022'],
];

describe('northbound error codes', () => {
  it('lists every code of the workbench table, and nothing else', () => {
    expect(expectedNorthbound.map(([code]) => code).sort()).toEqual(Object.keys(errorStatuses).sort());
  });

  it.each(expectedNorthbound)('answers %s with %i and error_code %s', (code, status, errorCode) => {
    const mapped = toNorthboundError(new DomainError(code, 'why', 'body.nodeId'));
    expect(mapped.status).toBe(status);
    expect(mapped.toBody().error_code).toBe(errorCode);
  });

  it('describes each refusal the way the platform does', () => {
    const desc = (error: unknown) => toNorthboundError(error).toBody();
    expect(desc(new DomainError('DEVICE_NOT_FOUND', 'no device has the id x', 'params.id'))).toEqual({
      error_code: '100403',
      error_desc: 'The device is not existed: no device has the id x',
    });
    expect(desc(new DomainError('DEVICE_EXISTS', 'already there', 'body.nodeId'))).toEqual({
      error_code: '100416',
      error_desc: 'The device has already been registered: already there',
    });
    expect(desc(new AuthRefusal('BAD_CREDENTIALS', 'appId or secret is not right'))).toEqual({
      error_code: '100208',
      error_desc: 'AppId or secret is not right.',
    });
    expect(desc(new AuthRefusal('BAD_TOKEN', 'access_token has expired'))).toEqual({
      error_code: '1010005',
      error_desc: 'App_key or access_token is invalid: access_token has expired',
    });
    expect(desc(new DomainError('BAD_SECRET', 'too short', 'body.secret'))).toEqual({
      error_code: '100022',
      error_desc: 'The input is invalid: body.secret: too short',
    });
    expect(desc(new DomainError('SOMETHING_NEW', 'why'))).toEqual({
      error_code: '100022',
      error_desc: 'The input is invalid: why',
    });
    expect(desc(new DomainError('SOCAT_MISSING', 'no socat'))).toEqual({
      error_code: '50252',
      error_desc: 'Internal server error.',
    });
  });

  it('maps a code by the table, then by its API status (5xx becomes an internal error)', () => {
    expect(toNorthboundError(new DomainError('DEVICE_NOT_FOUND', 'gone')).toBody().error_code).toBe('100403');
    expect(toNorthboundError(new DomainError('LWM2M_NOT_REGISTERED', 'asleep')).toBody().error_code).toBe('100022');
    expect(toNorthboundError(new DomainError('LWM2M_TIMEOUT', 'upstream')).status).toBe(500);
  });

  it('passes its own errors through and answers anything else as an internal error', () => {
    const own = new NorthboundError(403, '100217', 'not authorised');
    expect(toNorthboundError(own)).toBe(own);
    expect(toNorthboundError({ statusCode: 415, message: 'bad type' }).toBody()).toEqual({
      error_code: '100022',
      error_desc: 'The input is invalid: bad type',
    });
    expect(toNorthboundError(new Error('boom')).toBody().error_code).toBe('50252');
  });
});
