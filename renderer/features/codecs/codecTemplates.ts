// Starting points for a new codec and the entry-point types the script editor offers as hints.
import type { CodecLayout } from '../../../core/contract/index.js';

export const codecEntryPointTypes = `
/** What decode(payload, topic) returns, as a JSON string: reported data (legacy shape). */
interface DeviceReq { msgType: 'deviceReq'; data: { serviceId: string; serviceData: { [property: string]: any }; eventTime?: string }[] }
/** What decode(payload, topic) returns, as a JSON string: a command result; mid echoes the command's mid. */
interface DeviceRsp { msgType: 'deviceRsp'; mid: number; errcode: number; body?: { [field: string]: any } }
/** IoTDA shape of reported data. */
interface PropertiesReport { msg_type: 'properties_report'; services: { service_id: string; properties: { [property: string]: any }; event_time?: string }[] }
/** IoTDA shape of a command result. */
interface CommandsResponse { msg_type: 'commands_response'; mid: number; result_code: number; command_name?: string; paras?: { [field: string]: any } }
/** What encode(json) receives, parsed: both the legacy and the IoTDA names of the command fields. */
interface CloudReq {
  msgType: 'cloudReq'; serviceId: string; cmd: string; paras: { [para: string]: any }; mid: number; hasMore: 0 | 1;
  msg_type: 'commands'; service_id: string; command_name: string;
}
`;

export const newScriptTemplate = `// decode: uplink bytes -> the platform's JSON (as a string); encode: a command -> downlink bytes.

/**
 * @param {number[]} payload the frame's bytes (0..255)
 * @param {string} topic the MQTT topic, '' for CoAP/LwM2M devices
 * @returns {string} JSON.stringify of a DeviceReq or DeviceRsp
 */
function decode(payload, topic) {
  /** @type {DeviceReq} */
  var out = { msgType: 'deviceReq', data: [{ serviceId: 'ServiceId', serviceData: { value: payload[0] } }] };
  return JSON.stringify(out);
}

/**
 * @param {string} json the command, a CloudReq as JSON
 * @returns {number[]} the bytes to send
 */
function encode(json) {
  /** @type {CloudReq} */
  var command = JSON.parse(json);
  return [0x80, (command.mid >> 8) & 0xff, command.mid & 0xff];
}
`;

export const newLayoutTemplate: CodecLayout = {
  endian: 'big',
  messageIdType: 'uint8',
  messages: [
    {
      name: 'report',
      id: 1,
      direction: 'data',
      serviceId: 'ServiceId',
      fields: [{ name: 'value', type: 'uint16', role: 'value' }],
    },
  ],
};
