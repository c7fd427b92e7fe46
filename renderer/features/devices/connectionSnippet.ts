// Copy-paste snippets that connect a device in either MQTT dialect: mosquitto_pub (legacy §2 and IoTDA §3 topics),
// Python paho, and the IoTDA Python device SDK. Pure text generation; the login is computed by mqttLoginFor.

export interface SnippetInput {
  deviceId: string;
  host: string;
  port: number;
  /** A service of the product, for the example report. */
  serviceId?: string;
  propertyName?: string;
  /** An example value of that property. */
  exampleValue?: unknown;
  /** The device secret, when the user pasted it; snippets otherwise carry a placeholder. */
  secret?: string;
  /** A login computed for one hour (signType 0, so it keeps working after that hour). */
  login?: MqttLogin;
}

export interface MqttLogin {
  clientId: string;
  username: string;
  password: string;
}

export const SECRET_PLACEHOLDER = '<device secret>';

/** UTC `YYYYMMDDHH`, the timestamp of the clientId and the HMAC key (§2.1, §3.1). */
export function hourTimestamp(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}${pad(at.getUTCHours())}`;
}

/** password = lower-case hex HMAC-SHA256, key = timestamp, message = secret; clientId `{id}_0_0_{timestamp}`. */
export async function mqttLoginFor(deviceId: string, secret: string, at: Date): Promise<MqttLogin> {
  const timestamp = hourTimestamp(at);
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(timestamp),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(secret)));
  const password = Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
  return { clientId: `${deviceId}_0_0_${timestamp}`, username: deviceId, password };
}

/** A POSIX shell single-quoted word. */
export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** A Python string literal (JSON string syntax is valid Python). */
const pyString = (s: string) => JSON.stringify(s);
function pyLiteral(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string') return pyString(v);
  return `json.loads(${pyString(JSON.stringify(v) ?? 'null')})`;
}

/** The first reportable property of a model's services, with a value its type and range accept. */
export function exampleProperty(
  services: readonly {
    serviceId: string;
    properties: readonly {
      name: string;
      dataType: string;
      min?: number | undefined;
      enumList?: string[] | undefined;
    }[];
  }[],
): Pick<SnippetInput, 'serviceId' | 'propertyName' | 'exampleValue'> {
  for (const service of services) {
    const p = service.properties[0];
    if (!p) continue;
    return { serviceId: service.serviceId, propertyName: p.name, exampleValue: exampleValueOf(p) };
  }
  return {};
}

function exampleValueOf(p: { dataType: string; min?: number | undefined; enumList?: string[] | undefined }): unknown {
  switch (p.dataType) {
    case 'int':
    case 'long':
    case 'decimal':
      return p.min !== undefined && p.min > 1 ? p.min : 1;
    case 'boolean':
      return true;
    case 'enum':
      return p.enumList?.[0] ?? 'value';
    case 'DateTime':
      return '20260101T000000Z';
    case 'jsonObject':
      return {};
    case 'string list':
      return ['a'];
    default:
      return 'text';
  }
}

function example(input: SnippetInput) {
  return {
    serviceId: input.serviceId ?? 'Service',
    propertyName: input.propertyName ?? 'value',
    value: input.exampleValue ?? 1,
  };
}

export function iotdaReport(input: SnippetInput): { topic: string; payload: string } {
  const { serviceId, propertyName, value } = example(input);
  return {
    topic: `$oc/devices/${input.deviceId}/sys/properties/report`,
    payload: JSON.stringify({ services: [{ service_id: serviceId, properties: { [propertyName]: value } }] }),
  };
}

export function legacyReport(input: SnippetInput): { topic: string; payload: string } {
  const { serviceId, propertyName, value } = example(input);
  return {
    topic: `/huawei/v1/devices/${input.deviceId}/data/json`,
    payload: JSON.stringify({ msgType: 'deviceReq', data: [{ serviceId, serviceData: { [propertyName]: value } }] }),
  };
}

function mosquittoPub(input: SnippetInput, report: { topic: string; payload: string }): string {
  const head = `mosquitto_pub -V mqttv311 -h ${input.host} -p ${input.port}`;
  if (input.login) {
    const { clientId, username, password } = input.login;
    return [
      `${head} -q 1 \\`,
      `  -i ${shellQuote(clientId)} -u ${shellQuote(username)} -P ${shellQuote(password)} \\`,
      `  -t ${shellQuote(report.topic)} -m ${shellQuote(report.payload)}`,
    ].join('\n');
  }
  // Without a computed login the shell derives it at run time, so the snippet works in any hour.
  return [
    `SECRET=${shellQuote(input.secret ?? SECRET_PLACEHOLDER)}`,
    `ID=${shellQuote(input.deviceId)}`,
    'TS=$(date -u +%Y%m%d%H)',
    `PW=$(printf %s "$SECRET" | openssl dgst -sha256 -hmac "$TS" | sed 's/^.* //')`,
    `${head} -q 1 \\`,
    `  -i "\${ID}_0_0_\${TS}" -u "$ID" -P "$PW" \\`,
    `  -t ${shellQuote(report.topic)} -m ${shellQuote(report.payload)}`,
  ].join('\n');
}

export const iotdaSnippet = (input: SnippetInput) => mosquittoPub(input, iotdaReport(input));
export const legacySnippet = (input: SnippetInput) => mosquittoPub(input, legacyReport(input));

/** Python 3 with paho-mqtt 1.x or 2.x: logs in like the device SDKs and reports once on the IoTDA topic. */
export function pahoSnippet(input: SnippetInput): string {
  const report = iotdaReport(input);
  return [
    'import hashlib, hmac',
    'from datetime import datetime, timezone',
    'import paho.mqtt.client as mqtt',
    '',
    `DEVICE_ID = ${pyString(input.deviceId)}`,
    `SECRET = ${pyString(input.secret ?? SECRET_PLACEHOLDER)}`,
    "ts = datetime.now(timezone.utc).strftime('%Y%m%d%H')",
    'password = hmac.new(ts.encode(), SECRET.encode(), hashlib.sha256).hexdigest()',
    "api = {'callback_api_version': mqtt.CallbackAPIVersion.VERSION2} if hasattr(mqtt, 'CallbackAPIVersion') else {}",
    "client = mqtt.Client(client_id=f'{DEVICE_ID}_0_0_{ts}', protocol=mqtt.MQTTv311, **api)",
    'client.username_pw_set(DEVICE_ID, password)',
    `client.connect(${pyString(input.host)}, ${input.port})`,
    'client.loop_start()',
    `client.publish(${pyString(report.topic)}, ${pyString(report.payload)}, qos=1).wait_for_publish()`,
    'client.loop_stop()',
    'client.disconnect()',
  ].join('\n');
}

/** The IoTDA Python device SDK (huaweicloud-iot-device-sdk-python), plain MQTT on the workbench's port. */
export function deviceSdkSnippet(input: SnippetInput): string {
  const { serviceId, propertyName, value } = example(input);
  return [
    ...(typeof value === 'object' && value !== null ? ['import json'] : []),
    'from iot_device_sdk_python.client.client_conf import ClientConf',
    'from iot_device_sdk_python.client.connect_auth_info import ConnectAuthInfo',
    'from iot_device_sdk_python.client.request.service_property import ServiceProperty',
    'from iot_device_sdk_python.iot_device import IotDevice',
    '',
    'auth = ConnectAuthInfo()',
    `auth.server_uri = ${pyString(input.host)}`,
    `auth.port = ${input.port}`,
    `auth.id = ${pyString(input.deviceId)}`,
    `auth.secret = ${pyString(input.secret ?? SECRET_PLACEHOLDER)}`,
    'device = IotDevice(ClientConf(auth))',
    'if device.connect() != 0:',
    "    raise SystemExit('connect failed')",
    'report = ServiceProperty()',
    `report.service_id = ${pyString(serviceId)}`,
    `report.properties = {${pyString(propertyName)}: ${pyLiteral(value)}}`,
    'device.get_client().report_properties([report])',
  ].join('\n');
}

/** One-model-one-secret mode (legacy §2.1 authType 1): the device knows its productId, nodeId and product secret. */
export interface DynamicSnippetInput extends SnippetInput {
  productId: string;
  nodeId: string;
  /** The product's secret; snippets otherwise carry a placeholder. */
  productSecret?: string;
}

export const PRODUCT_SECRET_PLACEHOLDER = '<product secret>';

export const secretTopics = (productId: string, nodeId: string) => ({
  notify: `/huawei/v1/products/${productId}/sn/${nodeId}/secretNotify`,
  ack: `/huawei/v1/products/${productId}/sn/${nodeId}/secretACK`,
});

/**
 * mosquitto_sub fetches the device's own secret with the product secret, mosquitto_pub acknowledges it, and the
 * device then reports as usual with authType 0. The secret is cut out of the JSON with sed: fine for generated
 * secrets (hex); a hand-set secret holding `"` or `\` needs a JSON parser instead.
 */
export function dynamicSnippet(input: DynamicSnippetInput): string {
  const report = legacyReport({ ...input, deviceId: '${DEVICE_ID}' });
  const head = `-V mqttv311 -h ${input.host} -p ${input.port} -q 1`;
  const hmac = (variable: string) => `$(printf %s "$${variable}" | openssl dgst -sha256 -hmac "$TS" | sed 's/^.* //')`;
  return [
    `PRODUCT_ID=${shellQuote(input.productId)}`,
    `NODE_ID=${shellQuote(input.nodeId)}`,
    `PRODUCT_SECRET=${shellQuote(input.productSecret ?? PRODUCT_SECRET_PLACEHOLDER)}`,
    'TS=$(date -u +%Y%m%d%H)',
    `PW=${hmac('PRODUCT_SECRET')}`,
    '# 1. Log in with the product secret (authType 1) and wait for this device’s own secret.',
    `MSG=$(mosquitto_sub ${head} -C 1 -W 30 \\`,
    '  -i "${PRODUCT_ID}_${NODE_ID}_1_0_${TS}" -u "$PRODUCT_ID" -P "$PW" \\',
    '  -t "/huawei/v1/products/${PRODUCT_ID}/sn/${NODE_ID}/secretNotify")',
    `DEVICE_ID=$(printf %s "$MSG" | sed -n 's/.*"deviceid":"\\([^"]*\\)".*/\\1/p')`,
    `SECRET=$(printf %s "$MSG" | sed -n 's/.*"secret":"\\([^"]*\\)".*/\\1/p')`,
    '# 2. Acknowledge with an empty message; the platform then closes that session.',
    `mosquitto_pub ${head} -n \\`,
    '  -i "${PRODUCT_ID}_${NODE_ID}_1_0_${TS}" -u "$PRODUCT_ID" -P "$PW" \\',
    '  -t "/huawei/v1/products/${PRODUCT_ID}/sn/${NODE_ID}/secretACK"',
    '# 3. From now on the device logs in with authType 0: its deviceId and its own secret.',
    `PW=${hmac('SECRET')}`,
    `mosquitto_pub ${head} \\`,
    '  -i "${DEVICE_ID}_0_0_${TS}" -u "$DEVICE_ID" -P "$PW" \\',
    `  -t "${report.topic}" -m ${shellQuote(report.payload)}`,
  ].join('\n');
}

/** Python paho in one session, as LiteOS's agent does it: subscribe, take the secret, ACK, then log in with it. */
export function dynamicPahoSnippet(input: DynamicSnippetInput): string {
  const { serviceId, propertyName, value } = example(input);
  const payload = JSON.stringify({
    msgType: 'deviceReq',
    data: [{ serviceId, serviceData: { [propertyName]: value } }],
  });
  const topics = secretTopics(input.productId, input.nodeId);
  return [
    'import hashlib, hmac, json, threading',
    'from datetime import datetime, timezone',
    'import paho.mqtt.client as mqtt',
    '',
    `PRODUCT_ID = ${pyString(input.productId)}`,
    `NODE_ID = ${pyString(input.nodeId)}`,
    `PRODUCT_SECRET = ${pyString(input.productSecret ?? PRODUCT_SECRET_PLACEHOLDER)}`,
    "ts = datetime.now(timezone.utc).strftime('%Y%m%d%H')",
    "api = {'callback_api_version': mqtt.CallbackAPIVersion.VERSION2} if hasattr(mqtt, 'CallbackAPIVersion') else {}",
    '',
    'def client(login_id, auth_type, username, secret):',
    "    c = mqtt.Client(client_id=f'{login_id}_{auth_type}_0_{ts}', protocol=mqtt.MQTTv311, **api)",
    '    c.username_pw_set(username, hmac.new(ts.encode(), secret.encode(), hashlib.sha256).hexdigest())',
    '    return c',
    '',
    '# 1. Log in with the product secret (authType 1), subscribe to secretNotify, acknowledge the secret it brings.',
    'got, closed = {}, threading.Event()',
    "dyn = client(f'{PRODUCT_ID}_{NODE_ID}', 1, PRODUCT_ID, PRODUCT_SECRET)",
    `dyn.on_connect = lambda c, *rest: c.subscribe(${pyString(topics.notify)}, qos=1)`,
    'def on_message(c, userdata, msg):',
    '    got.update(json.loads(msg.payload))',
    `    c.publish(${pyString(topics.ack)}, b'', qos=1)`,
    'dyn.on_message = on_message',
    'dyn.on_disconnect = lambda *rest: closed.set()  # the platform closes the session after the ACK',
    `dyn.connect(${pyString(input.host)}, ${input.port})`,
    'dyn.loop_start()',
    'closed.wait(30)',
    'dyn.loop_stop()',
    "if 'secret' not in got:",
    "    raise SystemExit('no secret arrived on secretNotify')",
    '',
    '# 2. From now on the device logs in with authType 0: its deviceId and its own secret.',
    "dev = client(got['deviceid'], 0, got['deviceid'], got['secret'])",
    `dev.connect(${pyString(input.host)}, ${input.port})`,
    'dev.loop_start()',
    `dev.publish(f"/huawei/v1/devices/{got['deviceid']}/data/json", ${pyString(payload)}, qos=1).wait_for_publish()`,
    'dev.loop_stop()',
    'dev.disconnect()',
  ].join('\n');
}
