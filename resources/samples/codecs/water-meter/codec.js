// Water meter codec (WaterMeter / TestUtf8ManuId / NBIoTDevice), in the ES5 style of the platform's
// JavaScript codec template. The byte format is the same as layout.json beside this file:
// every frame starts with a one-byte message id; multi-byte values are big-endian.

var MSG_BASIC = 0x01;
var MSG_BATTERY = 0x02;
var MSG_ALARM = 0x03;
var MSG_CONNECTIVITY = 0x04;
var MSG_SET_DEVICE_LEVEL = 0x81;
var MSG_SET_DEVICE_LEVEL_RSP = 0x82;
var DEVICE_LEVELS = ['normal', 'silent', 'debug'];

function u16(b, i) {
  return (b[i] << 8) | b[i + 1];
}
function s16(b, i) {
  var v = u16(b, i);
  return v > 0x7fff ? v - 0x10000 : v;
}
function u32(b, i) {
  return ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
}
function text(b, start, length) {
  var s = '';
  for (var i = start; i < start + length; i++) s += String.fromCharCode(b[i]);
  return s;
}
function report(serviceId, serviceData) {
  return JSON.stringify({ msgType: 'deviceReq', data: [{ serviceId: serviceId, serviceData: serviceData }] });
}

// payload: the uplink bytes as an array of numbers; topic: the MQTT topic ('' for CoAP/LwM2M).
// Returns the platform's decode JSON as a string.
function decode(payload, topic) {
  var id = payload[0];
  if (id === MSG_BASIC) {
    if (payload.length !== 13) throw new Error('basic report is 13 bytes, got ' + payload.length);
    return report('WaterMeterBasic', {
      currentReading: u32(payload, 1) / 1000,
      dailyActivityTime: u32(payload, 5),
      temperature: s16(payload, 9) / 10,
      flow: u16(payload, 11) / 100,
    });
  }
  if (id === MSG_BATTERY) {
    if (payload.length !== 3) throw new Error('battery report is 3 bytes, got ' + payload.length);
    return report('Battery', { batteryLevel: payload[1], batteryThreshold: payload[2] });
  }
  if (id === MSG_ALARM) {
    var flags = payload[1];
    var length = payload[2];
    if (payload.length !== 3 + length) throw new Error('alarm report length mismatch');
    return report('WaterMeterAlarm', {
      leakageAlarm: (flags >> 7) & 1,
      reverseFlowAlarm: (flags >> 6) & 1,
      magneticAttackAlarm: (flags >> 5) & 1,
      lowBatteryAlarm: (flags >> 4) & 1,
      alarmDescription: text(payload, 3, length),
    });
  }
  if (id === MSG_CONNECTIVITY) {
    if (payload.length !== 10) throw new Error('connectivity report is 10 bytes, got ' + payload.length);
    return report('Connectivity', {
      signalStrength: s16(payload, 1),
      linkQuality: s16(payload, 3),
      cellId: u32(payload, 5),
      ecl: payload[9],
    });
  }
  if (id === MSG_SET_DEVICE_LEVEL_RSP) {
    if (payload.length !== 5) throw new Error('command response is 5 bytes, got ' + payload.length);
    // The IoTDA response shape; the legacy {msgType:'deviceRsp', mid, errcode, body} works as well.
    return JSON.stringify({
      msg_type: 'commands_response',
      command_name: 'SET_DEVICE_LEVEL',
      mid: u16(payload, 1),
      result_code: payload[3],
      paras: { result: payload[4] },
    });
  }
  throw new Error('unknown message id ' + id);
}

// json: the command as a JSON string ({msgType:'cloudReq', serviceId, cmd, paras, mid} and the IoTDA
// msg_type/service_id/command_name fields). Returns the downlink bytes.
function encode(json) {
  var command = JSON.parse(json);
  if (command.cmd === 'SET_DEVICE_LEVEL') {
    var level = DEVICE_LEVELS.indexOf(command.paras.value);
    if (level < 0) throw new Error('value must be one of ' + DEVICE_LEVELS.join(', '));
    return [MSG_SET_DEVICE_LEVEL, (command.mid >> 8) & 0xff, command.mid & 0xff, level];
  }
  throw new Error('unsupported command ' + command.cmd);
}
