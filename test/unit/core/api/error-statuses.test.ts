// Each DomainError code answers with its one status and the contract's error body on the workbench API.
import { describe, expect, it } from 'vitest';
import { apiErrorReply, errorStatuses, statusOfError } from '../../../../core/api/error-statuses.js';
import { DomainError } from '../../../../core/domain-error.js';
import { ProfileImportError } from '../../../../core/products/index.js';

// Written out rather than read from the table: changing a status must change this list too.
const expectedStatuses: [code: string, status: number][] = [
  ['ALARM_CLEARED', 409],
  ['ALARM_NOT_FOUND', 404],
  ['APP_EXISTS', 409],
  ['APP_HAS_DEVICES', 409],
  ['APP_IS_DEFAULT', 409],
  ['APP_NAME_TAKEN', 409],
  ['APP_NOT_FOUND', 404],
  ['BAD_CALLBACK_URL', 400],
  ['BAD_CERTIFICATE', 400],
  ['BAD_COMMAND', 400],
  ['BAD_CONFIG', 400],
  ['BAD_DESIRED', 400],
  ['BAD_CREDENTIALS', 401],
  ['BAD_HEX', 400],
  ['BAD_KEY', 400],
  ['BAD_NODE_ID', 400],
  ['BAD_REFRESH_TOKEN', 401],
  ['BAD_REQUEST', 400],
  ['BAD_RULE', 400],
  ['BAD_SECRET', 400],
  ['BAD_TIME', 400],
  ['BAD_TOKEN', 401],
  ['BIND_ALREADY_BOUND', 409],
  ['BIND_CODE_EXPIRED', 410],
  ['BIND_NOT_REGISTERED', 404],
  ['BIND_WRONG_CODE', 403],
  ['BRING_UP_RUNNING', 409],
  ['BRING_UP_UNAVAILABLE', 503],
  ['CA_NOT_FOUND', 404],
  ['COAP_PORT_CLOSED', 503],
  ['CODEC_NOT_FOUND', 404],
  ['CODEC_VERSION_NOT_FOUND', 404],
  ['COMMAND_BATCH_NOT_FOUND', 404],
  ['COMMAND_NOT_FOUND', 404],
  ['COMMAND_NOT_PENDING', 409],
  ['CONFIG_NOT_FOUND', 404],
  ['CSV_EMPTY', 400],
  ['CSV_TOO_LARGE', 400],
  ['DEVICE_EXISTS', 409],
  ['DEVICE_NOT_FOUND', 404],
  ['DEVICE_NOT_READY', 409],
  ['DIAGNOSIS_NOT_SUPPORTED', 409],
  ['DISCOVERY_NOT_SUPPORTED', 409],
  ['DIAGNOSIS_TASK_OPEN', 409],
  ['FILE_NOT_FOUND', 404],
  ['FILE_TOO_LARGE', 413],
  ['FILTER_INVALID', 400],
  ['FLASH_BAD_IMAGE', 400],
  ['FLASH_FAILED', 502],
  ['FLASH_INTERRUPTED', 409],
  ['FLASH_NOT_FOUND', 404],
  ['FLASH_NO_BOOTLOADER', 409],
  ['FLASH_PORT_LOST', 409],
  ['FLASH_PROTECTED', 409],
  ['FLASH_UNSIGNED_IMAGE', 400],
  ['FLASH_VERIFY_FAILED', 409],
  ['FLASH_WRONG_BOOT_MODE', 409],
  ['FLASH_WRONG_CHIP', 409],
  ['FLEET_NOT_FOUND', 404],
  ['FRAME_NOT_FOUND', 404],
  ['GATEWAY_NOT_FOUND', 404],
  ['GATEWAY_IS_SUB_DEVICE', 400],
  ['GRANT_NOT_FOUND', 404],
  ['GRANT_TO_SELF', 400],
  ['GROUP_CYCLE', 400],
  ['GROUP_DEFAULT_PROTECTED', 409],
  ['GROUP_DEVICE_NOT_HELD', 403],
  ['GROUP_FULL', 409],
  ['GROUP_NAME_TAKEN', 409],
  ['GROUP_NOT_FOUND', 404],
  ['GROUP_TOO_DEEP', 400],
  ['GROUP_TOO_MANY_DEVICES', 400],
  ['KEY_EXISTS', 409],
  ['KEY_NOT_FOUND', 404],
  ['LOG_NOT_COLLECTED', 409],
  ['LWM2M_BAD_REQUEST', 400],
  ['LWM2M_NOTHING_TO_WRITE', 400],
  ['LWM2M_NOT_REGISTERED', 409],
  ['LWM2M_RESET', 502],
  ['LWM2M_STOPPED', 503],
  ['LWM2M_TIMEOUT', 504],
  ['MODULE_NOT_FOUND', 404],
  ['MQTT_PORT_CLOSED', 503],
  ['NOTHING_TO_REPORT', 400],
  ['NOT_AN_LWM2M_PRODUCT', 400],
  ['NOT_AN_MQTT_PRODUCT', 400],
  ['NOT_A_GATEWAY', 409],
  ['NOT_A_LAYOUT', 400],
  ['NOT_A_LOG_TASK', 400],
  ['NOT_A_SUB_DEVICE', 409],
  ['NOT_SIMULATED', 404],
  ['NO_FRAME_SOURCE', 400],
  ['OTA_BAD_POLICY', 400],
  ['OTA_NO_TARGET', 400],
  ['OTA_NOTHING_TO_RETRY', 409],
  ['OTA_NOT_AWAITING_CONFIRM', 409],
  ['OTA_PACKAGE_MISMATCH', 400],
  ['OTA_SUBTASK_NOT_FOUND', 404],
  ['OTA_TASK_NOT_FOUND', 404],
  ['OTA_TASK_NOT_OPEN', 409],
  ['OTA_TASK_RUNNING', 409],
  ['PACKAGE_CHANGED', 409],
  ['PACKAGE_EXISTS', 409],
  ['PACKAGE_IN_USE', 409],
  ['PACKAGE_NOT_FOUND', 404],
  ['PACKAGE_TOO_LARGE', 400],
  ['PORT_BUSY', 409],
  ['PORT_OPEN_FAILED', 400],
  ['PRODUCT_EXISTS', 409],
  ['PRODUCT_IN_USE', 409],
  ['PRODUCT_NOT_FOUND', 404],
  ['PRODUCT_VERSION_CONFLICT', 409],
  ['RULE_ALARM_WITH_TIMER', 400],
  ['RULE_NOT_FOUND', 404],
  ['SAMPLE_CODEC_NOT_FOUND', 404],
  ['SAMPLE_NOT_FOUND', 404],
  ['SCRIPT_NOT_FOUND', 404],
  ['SESSION_NOT_FOUND', 404],
  ['SESSION_NOT_OPEN', 409],
  ['SIMULATION_FAILED', 502],
  ['SIMULATION_NOT_FOUND', 404],
  ['SOCAT_MISSING', 503],
  ['SUBSCRIPTION_NOT_FOUND', 404],
  ['TARGET_IN_USE', 409],
  ['TARGET_NOT_FOUND', 404],
  ['TAG_EXISTS', 409],
  ['TAG_NOT_FOUND', 404],
  ['TASK_NOT_FOUND', 404],
  ['TOPIC_NOT_DEVICE', 400],
  ['UNSUPPORTED_MEDIA_TYPE', 415],
];

describe('workbench API error statuses', () => {
  it('lists every code of the table, and nothing else', () => {
    expect(expectedStatuses.map(([code]) => code).sort()).toEqual(Object.keys(errorStatuses).sort());
  });

  it.each(expectedStatuses)('answers %s with %i and the contract error body', (code, status) => {
    const details = { why: 'test' };
    expect(apiErrorReply(new DomainError(code, `refused with ${code}`, 'body.field', details))).toEqual({
      status,
      body: { code, message: `refused with ${code}`, path: 'body.field', details },
    });
  });

  it('answers a code the table does not list as bad input (400)', () => {
    expect(statusOfError('SOMETHING_NEW')).toBe(400);
    expect(apiErrorReply(new DomainError('SOMETHING_NEW', 'why'))?.status).toBe(400);
  });

  it('answers a CoAP reset as a bad gateway and a stopped server as unavailable', () => {
    expect(apiErrorReply(new DomainError('LWM2M_RESET', 'reset', 'params.id'))).toEqual({
      status: 502,
      body: { code: 'LWM2M_RESET', message: 'reset', path: 'params.id', details: undefined },
    });
    expect(apiErrorReply(new DomainError('LWM2M_STOPPED', 'stopped'))?.status).toBe(503);
  });

  it('keeps the zip file name at the top of a refused profile import', () => {
    const issue = {
      severity: 'error' as const,
      code: 'RANGE_INVERTED',
      message: 'max is below min',
      file: 'profile/a.json',
      path: 'max',
    };
    const reply = apiErrorReply(new ProfileImportError(issue, []));
    expect(reply?.status).toBe(400);
    expect(reply?.body).toMatchObject({ code: 'RANGE_INVERTED', path: 'max', file: 'profile/a.json' });
  });

  it('leaves anything else to fastify', () => {
    expect(apiErrorReply(new Error('boom'))).toBeUndefined();
    expect(apiErrorReply({ statusCode: 400 })).toBeUndefined();
  });
});
