// `iotwb pcp decode <hex>` and `iotwb pcp encode <json>`: the PCP codec from the command line.
import { z } from 'zod';
import type { CliCommand } from '../cli.js';
import { decodePcpFrame, encodePcpFrame, PcpEncodeError } from '../protocols/pcp/pcp-frame.js';

const pcpMessageSchema = z.strictObject({
  code: z.number().int().min(0).max(255),
  kind: z.enum(['request', 'reply']).default('request'),
  version: z.number().int().min(0).max(255).optional(),
  result: z.number().int().min(0).max(255).optional(),
  currentVersion: z.string().optional(),
  targetVersion: z.string().optional(),
  shardSize: z.number().int().optional(),
  shardCount: z.number().int().optional(),
  checkCode: z.number().int().optional(),
  shardIndex: z.number().int().optional(),
  shardData: z.string().optional(),
  data: z.string().optional(),
  checksum: z.number().int().min(0).max(0xffff).optional(),
});

const usage = `iotwb pcp decode <hex> [--sender platform|device]
       iotwb pcp encode <json>
  decode  prints the frame as JSON (fields, checksum given and computed, valid, reason when invalid);
          exits 0 when it is a valid PCP frame, 1 when not
  encode  prints the frame as hex; the JSON names the message, e.g.
          '{"code":21,"kind":"request","targetVersion":"V1.0","shardIndex":0}'
  --sender who sent the frame, to tell a request from a reply where the length cannot`;

export const pcpCommand: CliCommand = {
  summary: 'Decode or encode PCP (software upgrade) frames',
  usage,
  options: { sender: { type: 'string' } },
  run({ values, positionals }, io) {
    const [action, input, ...extra] = positionals;
    if ((action !== 'decode' && action !== 'encode') || input === undefined || extra.length > 0) {
      io.err(`Usage: ${usage}`);
      return Promise.resolve(2);
    }
    if (action === 'decode') {
      const sender = values.sender;
      if (sender !== undefined && sender !== 'platform' && sender !== 'device') {
        io.err('iotwb pcp: --sender must be platform or device');
        return Promise.resolve(2);
      }
      const hex = input.replace(/[\s:]/g, '');
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) {
        io.out(
          JSON.stringify({ valid: false, code: 'NOT_HEX', reason: 'the input is not an even number of hex digits' }),
        );
        return Promise.resolve(1);
      }
      const decoded = decodePcpFrame(Buffer.from(hex, 'hex'), sender ? { sender } : {});
      io.out(JSON.stringify(decoded, null, 2));
      return Promise.resolve(decoded.valid ? 0 : 1);
    }
    let json: unknown;
    try {
      json = JSON.parse(input);
    } catch (error) {
      io.err(`iotwb pcp encode: not JSON: ${error instanceof Error ? error.message : String(error)}`);
      return Promise.resolve(1);
    }
    const parsed = pcpMessageSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      io.err(`iotwb pcp encode: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
      return Promise.resolve(1);
    }
    try {
      io.out(Buffer.from(encodePcpFrame(parsed.data)).toString('hex').toUpperCase());
      return Promise.resolve(0);
    } catch (error) {
      if (!(error instanceof PcpEncodeError)) throw error;
      io.err(`iotwb pcp encode: ${error.message}`);
      return Promise.resolve(1);
    }
  },
};
