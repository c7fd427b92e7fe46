// PCP layer for an upgrade frame inside a payload (LwM2M /19, raw 0xFFFE payloads).
import { decodePcpFrame, type PcpSender } from '../../protocols/pcp/pcp-frame.js';
import type { TrafficLayer } from '../../contract/traffic.js';
import { field, type FieldValues } from './layer-types.js';

export interface PcpLayerResult {
  layer: TrafficLayer;
  summary: string;
  valid: boolean;
  error?: string;
}

export function decodePcpLayer(
  payload: Uint8Array,
  offset: number,
  sender: PcpSender,
  values: FieldValues,
  productSupportsPcp?: boolean,
): PcpLayerResult {
  const r = decodePcpFrame(payload, { sender, ...(productSupportsPcp !== undefined ? { productSupportsPcp } : {}) });
  values['pcp.valid'] = r.valid;
  const title = 'PCP (software upgrade)';
  if (!r.valid) {
    if (r.header.code !== undefined) values['pcp.code'] = r.header.code;
    const fields = [];
    if (r.header.code !== undefined) {
      fields.push(
        field('pcp.code', 'Message code', String(r.header.code), {
          offset: offset + 3,
          length: 1,
          meaning: r.header.codeName ?? '',
        }),
      );
    }
    if (r.header.checksum) {
      fields.push(
        field('pcp.checksum', 'Checksum', r.header.checksum.given, {
          offset: offset + 4,
          length: 2,
          meaning: `computed ${r.header.checksum.computed}`,
        }),
      );
    }
    if (r.header.length !== undefined) {
      fields.push(field('pcp.length', 'Data length', String(r.header.length), { offset: offset + 6, length: 2 }));
    }
    return {
      layer: { id: 'pcp', title, error: r.reason, fields },
      summary: `PCP? ${r.reason}`,
      valid: false,
      error: r.reason,
    };
  }
  values['pcp.code'] = r.code;
  values['pcp.kind'] = r.kind;
  if (r.message.result !== undefined) values['pcp.result'] = r.message.result;
  if (r.message.shardIndex !== undefined) values['pcp.shard'] = r.message.shardIndex;
  const fields = r.fields.map((f) =>
    field(f.key, f.label, String(f.value), {
      offset: offset + f.offset,
      length: f.length,
      ...(f.meaning !== undefined ? { meaning: f.meaning } : {}),
    }),
  );
  fields.push(field('pcp.kind', 'Kind', `${r.kind} from ${r.sender}${r.kindInferred ? ' (inferred)' : ''}`));
  const result = r.fields.find((f) => f.key === 'pcp.result');
  const detail = [
    r.message.targetVersion ?? r.message.currentVersion,
    r.message.shardIndex !== undefined ? `shard ${r.message.shardIndex}` : undefined,
    result ? `result ${result.value} (${result.meaning ?? ''})` : undefined,
  ].filter(Boolean);
  return {
    layer: { id: 'pcp', title, fields },
    summary: `PCP ${r.code} ${r.codeName} [${r.kind}]${detail.length ? ': ' + detail.join(', ') : ''}`,
    valid: true,
  };
}
