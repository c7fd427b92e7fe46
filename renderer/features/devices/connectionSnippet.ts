// Copy-paste shell snippets that connect a device with mosquitto_pub in either dialect (password computed with openssl).

export interface SnippetInput {
  deviceId: string;
  host: string;
  port: number;
  /** A service of the product, for the example report. */
  serviceId?: string;
  propertyName?: string;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function login(deviceId: string): string[] {
  return [
    `SECRET=${quote('<device secret>')}`,
    'TS=$(date -u +%Y%m%d%H)',
    `PW=$(printf %s "$SECRET" | openssl dgst -sha256 -hmac "$TS" | sed 's/^.* //')`,
    `ID=${quote(deviceId)}`,
  ];
}

export function iotdaSnippet({
  deviceId,
  host,
  port,
  serviceId = 'Service',
  propertyName = 'value',
}: SnippetInput): string {
  const payload = JSON.stringify({ services: [{ service_id: serviceId, properties: { [propertyName]: 1 } }] });
  return [
    ...login(deviceId),
    `mosquitto_pub -V mqttv311 -h ${host} -p ${port} -i "\${ID}_0_0_\${TS}" -u "$ID" -P "$PW" -q 1 \\`,
    `  -t "\\$oc/devices/\${ID}/sys/properties/report" -m ${quote(payload)}`,
  ].join('\n');
}

export function legacySnippet({
  deviceId,
  host,
  port,
  serviceId = 'Service',
  propertyName = 'value',
}: SnippetInput): string {
  const payload = JSON.stringify({ msgType: 'deviceReq', data: [{ serviceId, serviceData: { [propertyName]: 1 } }] });
  return [
    ...login(deviceId),
    `mosquitto_pub -V mqttv311 -h ${host} -p ${port} -i "\${ID}_0_0_\${TS}" -u "$ID" -P "$PW" -q 1 \\`,
    `  -t "/huawei/v1/devices/\${ID}/data/json" -m ${quote(payload)}`,
  ].join('\n');
}
