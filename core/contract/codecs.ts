// Contract of codecs: script and binary-layout codecs per product, their versions, samples, try-out and C export.
import { z } from 'zod';
import { defineRoute } from './define.js';

export const codecKinds = ['script', 'layout'] as const;
export type CodecKind = (typeof codecKinds)[number];

const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a C identifier: letters, digits and _, not starting with a digit');

export const layoutNumberTypes = ['uint8', 'uint16', 'uint32', 'int8', 'int16', 'int32', 'float32', 'float64'] as const;
export const layoutFieldTypes = [...layoutNumberTypes, 'bcd', 'string', 'bytes', 'bits'] as const;
export type LayoutFieldType = (typeof layoutFieldTypes)[number];
export type LayoutNumberType = (typeof layoutNumberTypes)[number];

export const layoutBitSchema = z.object({
  name: identifier,
  width: z.number().int().min(1).max(32),
  /** Property / para name it maps to; the bit field's name when absent. */
  key: z.string().min(1).max(64).optional(),
});
export type LayoutBit = z.infer<typeof layoutBitSchema>;

export const layoutFieldSchema = z.object({
  name: identifier,
  type: z.enum(layoutFieldTypes),
  /** `mid` and `errcode` carry the command correlation; `value` fields map to properties or paras. */
  role: z.enum(['value', 'mid', 'errcode']).default('value'),
  /** Property / para name it maps to; the field's name when absent. */
  key: z.string().min(1).max(64).optional(),
  /** Bytes of a fixed bcd/string/bytes field; container bytes (1, 2 or 4) of a bits field. */
  length: z.number().int().min(1).max(1024).optional(),
  /** Length-prefixed string/bytes: the prefix type. */
  lengthPrefix: z.enum(['uint8', 'uint16']).optional(),
  /** Capacity of a length-prefixed field (C buffers are sized by it). */
  maxLength: z.number().int().min(1).max(4096).optional(),
  /** Numeric fields: decoded value = raw × scale. */
  scale: z.number().positive().optional(),
  /** Integer fields mapped to enum properties/paras: raw value i stands for enumValues[i]. */
  enumValues: z.array(z.string().min(1).max(64)).max(256).optional(),
  bits: z.array(layoutBitSchema).optional(),
});
export type LayoutField = z.infer<typeof layoutFieldSchema>;

export const layoutDirections = ['data', 'command', 'commandResponse', 'ack'] as const;
export type LayoutDirection = (typeof layoutDirections)[number];

export const layoutMessageSchema = z.object({
  name: identifier,
  id: z.number().int().min(0).max(65535),
  direction: z.enum(layoutDirections),
  serviceId: z.string().min(1).max(64).optional(),
  /** Command name, for command and commandResponse messages. */
  command: z.string().min(1).max(64).optional(),
  fields: z.array(layoutFieldSchema).max(64).default([]),
});
export type LayoutMessage = z.infer<typeof layoutMessageSchema>;

export const codecLayoutSchema = z
  .object({
    endian: z.enum(['big', 'little']).default('big'),
    /** The message id leads every frame. */
    messageIdType: z.enum(['uint8', 'uint16']).default('uint8'),
    messages: z.array(layoutMessageSchema).min(1).max(64),
  })
  .superRefine((layout, ctx) => {
    const ids = new Set<number>();
    const names = new Set<string>();
    layout.messages.forEach((message, m) => {
      const at = (...rest: (string | number)[]) => ['messages', m, ...rest];
      if (ids.has(message.id))
        ctx.addIssue({ code: 'custom', path: at('id'), message: `duplicate message id ${message.id}` });
      if (names.has(message.name))
        ctx.addIssue({ code: 'custom', path: at('name'), message: `duplicate message name ${message.name}` });
      ids.add(message.id);
      names.add(message.name);
      if (layout.messageIdType === 'uint8' && message.id > 255)
        ctx.addIssue({ code: 'custom', path: at('id'), message: 'message id does not fit the uint8 message-id field' });
      if (message.direction === 'data' && !message.serviceId)
        ctx.addIssue({ code: 'custom', path: at('serviceId'), message: 'a data message needs a serviceId' });
      if ((message.direction === 'command' || message.direction === 'commandResponse') && !message.command)
        ctx.addIssue({
          code: 'custom',
          path: at('command'),
          message: `a ${message.direction} message needs a command name`,
        });
      const fieldNames = new Set<string>();
      message.fields.forEach((field, f) => {
        const fat = (key: string) => at('fields', f, key);
        if (fieldNames.has(field.name))
          ctx.addIssue({ code: 'custom', path: fat('name'), message: `duplicate field ${field.name}` });
        fieldNames.add(field.name);
        if (field.type === 'bits') {
          if (![1, 2, 4].includes(field.length ?? 0))
            ctx.addIssue({
              code: 'custom',
              path: fat('length'),
              message: 'a bits field needs length 1, 2 or 4 (container bytes)',
            });
          const width = (field.bits ?? []).reduce((sum, b) => sum + b.width, 0);
          if (!field.bits?.length || width > (field.length ?? 0) * 8)
            ctx.addIssue({
              code: 'custom',
              path: fat('bits'),
              message: `bit widths (${width}) must fit the container`,
            });
        }
        if (field.type === 'bcd' && !field.length)
          ctx.addIssue({ code: 'custom', path: fat('length'), message: 'a bcd field needs a length in bytes' });
        if ((field.type === 'string' || field.type === 'bytes') && !field.length === !field.lengthPrefix)
          ctx.addIssue({
            code: 'custom',
            path: fat('length'),
            message: 'give either a fixed length or a lengthPrefix',
          });
        if (field.role === 'mid' && field.type !== 'uint16')
          ctx.addIssue({ code: 'custom', path: fat('type'), message: 'the mid field is a uint16' });
        if (field.role === 'errcode' && !['uint8', 'uint16', 'int8', 'int16', 'int32', 'uint32'].includes(field.type))
          ctx.addIssue({ code: 'custom', path: fat('type'), message: 'the errcode field is an integer' });
      });
    });
  });
export type CodecLayout = z.infer<typeof codecLayoutSchema>;

/** One service's data in a decoded uplink frame. */
export const decodedServiceSchema = z.object({
  serviceId: z.string(),
  properties: z.record(z.string(), z.unknown()),
  eventTime: z.string().optional(),
});
/** One service's reported values, as every uplink path (JSON bodies, codecs, LwM2M) hands them to the data store. */
export type ServiceReport = z.infer<typeof decodedServiceSchema>;

/** The one internal form both script shapes (legacy msgType and IoTDA msg_type) and layouts decode to. */
export const decodedMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('data'), services: z.array(decodedServiceSchema) }),
  z.object({
    kind: z.literal('commandResponse'),
    mid: z.number().int(),
    errcode: z.number().int(),
    body: z.record(z.string(), z.unknown()),
    commandName: z.string().optional(),
  }),
]);
export type DecodedMessage = z.infer<typeof decodedMessageSchema>;

export const codecIssueSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
});
export type CodecIssue = z.infer<typeof codecIssueSchema>;

export const codecErrorSchema = z.object({ code: z.string(), message: z.string() });
export type CodecError = z.infer<typeof codecErrorSchema>;

export const decodeResultSchema = z.union([
  z.object({ ok: z.literal(true), message: decodedMessageSchema, issues: z.array(codecIssueSchema), raw: z.string() }),
  z.object({ ok: z.literal(false), error: codecErrorSchema, raw: z.string() }),
]);
export type DecodeResult = z.infer<typeof decodeResultSchema>;

/** A command to encode for a device. */
export const codecCommandSchema = z.object({
  serviceId: z.string().min(1).max(64),
  name: z.string().min(1).max(64),
  paras: z.record(z.string(), z.unknown()).default({}),
  mid: z.number().int().min(0).max(65535).default(1),
});
export type CodecCommand = z.infer<typeof codecCommandSchema>;

export const encodeResultSchema = z.union([
  z.object({ ok: z.literal(true), hex: z.string() }),
  z.object({ ok: z.literal(false), error: codecErrorSchema }),
]);
export type EncodeResult = z.infer<typeof encodeResultSchema>;

export const codecVersionSchema = z.object({
  productId: z.string(),
  version: z.number().int(),
  kind: z.enum(codecKinds),
  source: z.string(),
  createdAt: z.string(),
  active: z.boolean(),
});
export type CodecVersion = z.infer<typeof codecVersionSchema>;

export const codecVersionSummarySchema = codecVersionSchema.omit({ source: true });

export const codecSchema = z.object({
  productId: z.string(),
  active: codecVersionSchema.nullable(),
  versions: z.array(codecVersionSummarySchema),
});
export type Codec = z.infer<typeof codecSchema>;

export const hexSchema = z
  .string()
  .max(131072)
  .transform((s) => s.replace(/[\s:]/g, '').replace(/^0x/i, ''))
  .refine((s) => /^([0-9a-fA-F]{2})*$/.test(s), 'must be hex bytes (pairs of 0-9 a-f)');

export const sampleDirections = ['uplink', 'downlink'] as const;

export const codecSampleInputSchema = z.discriminatedUnion('direction', [
  z.object({
    direction: z.literal('uplink'),
    name: z.string().min(1).max(128),
    hex: hexSchema,
    topic: z.string().max(256).optional(),
    /** The decoded message this frame must give. */
    expected: decodedMessageSchema,
  }),
  z.object({
    direction: z.literal('downlink'),
    name: z.string().min(1).max(128),
    command: codecCommandSchema,
    /** The bytes this command must encode to. */
    expectedHex: hexSchema,
  }),
]);
export type CodecSampleInput = z.infer<typeof codecSampleInputSchema>;

export const codecSampleSchema = z.intersection(
  codecSampleInputSchema,
  z.object({ id: z.string(), productId: z.string() }),
);
export type CodecSample = z.infer<typeof codecSampleSchema>;

/** A value absent on one side is left out (JSON has no undefined). */
export const sampleDiffSchema = z.object({
  path: z.string(),
  expected: z.unknown().optional(),
  actual: z.unknown().optional(),
});
export type SampleDiff = z.infer<typeof sampleDiffSchema>;

export const sampleRunSchema = z.object({
  sampleId: z.string(),
  name: z.string(),
  pass: z.boolean(),
  actual: z.unknown().optional(),
  expected: z.unknown().optional(),
  diff: z.array(sampleDiffSchema),
  error: codecErrorSchema.optional(),
  issues: z.array(codecIssueSchema).default([]),
});
export type SampleRun = z.infer<typeof sampleRunSchema>;

/** Unsaved code to try instead of the active version (the editor's live try-out). */
export const codecDraftSchema = z.object({ kind: z.enum(codecKinds), source: z.string().max(1024 * 1024) });
export type CodecDraft = z.infer<typeof codecDraftSchema>;

export const codecTryRequestSchema = z.discriminatedUnion('direction', [
  z.object({
    direction: z.literal('decode'),
    hex: hexSchema,
    topic: z.string().max(256).optional(),
    draft: codecDraftSchema.optional(),
  }),
  z.object({ direction: z.literal('encode'), command: codecCommandSchema, draft: codecDraftSchema.optional() }),
]);

export const codecTryResponseSchema = z.object({
  decode: decodeResultSchema.optional(),
  encode: encodeResultSchema.optional(),
});

export const cSourceSchema = z.object({ fileBase: z.string(), header: z.string(), source: z.string() });
export type CSource = z.infer<typeof cSourceSchema>;

const codecParams = z.object({ id: z.string().min(1).max(128) });
const versionParams = codecParams.extend({ version: z.coerce.number().int().min(1) });
const sampleParams = codecParams.extend({ sampleId: z.string().min(1).max(64) });

export const codecRoutes = {
  listCodecs: defineRoute({
    method: 'GET',
    path: '/api/codecs',
    tag: 'codecs',
    summary: 'Products that have a codec, with the active version',
    response: z.object({ codecs: z.array(codecVersionSummarySchema) }),
  }),
  getCodec: defineRoute({
    method: 'GET',
    path: '/api/codecs/:id',
    tag: 'codecs',
    summary: "A product's codec (id = productId): the active version and the version list",
    params: codecParams,
    response: codecSchema,
  }),
  saveCodecVersion: defineRoute({
    method: 'POST',
    path: '/api/codecs/:id/versions',
    tag: 'codecs',
    summary: 'Save the codec: every save is a new version and becomes active',
    params: codecParams,
    body: codecDraftSchema,
    response: codecVersionSchema,
    status: 201,
  }),
  getCodecVersion: defineRoute({
    method: 'GET',
    path: '/api/codecs/:id/versions/:version',
    tag: 'codecs',
    summary: 'One version with its source',
    params: versionParams,
    response: codecVersionSchema,
  }),
  activateCodecVersion: defineRoute({
    method: 'POST',
    path: '/api/codecs/:id/versions/:version/activate',
    tag: 'codecs',
    summary: 'Roll back (or forward): make this version the active one',
    params: versionParams,
    response: codecSchema,
  }),
  deleteCodec: defineRoute({
    method: 'DELETE',
    path: '/api/codecs/:id',
    tag: 'codecs',
    summary: 'Delete the codec, all its versions and samples',
    params: codecParams,
    response: z.object({ deleted: z.literal(true) }),
  }),
  listCodecSamples: defineRoute({
    method: 'GET',
    path: '/api/codecs/:id/samples',
    tag: 'codecs',
    summary: 'Sample frames stored with the codec',
    params: codecParams,
    response: z.object({ samples: z.array(codecSampleSchema) }),
  }),
  addCodecSample: defineRoute({
    method: 'POST',
    path: '/api/codecs/:id/samples',
    tag: 'codecs',
    summary: 'Add a sample frame with its expected result',
    params: codecParams,
    body: codecSampleInputSchema,
    response: codecSampleSchema,
    status: 201,
  }),
  updateCodecSample: defineRoute({
    method: 'PUT',
    path: '/api/codecs/:id/samples/:sampleId',
    tag: 'codecs',
    summary: 'Replace a sample',
    params: sampleParams,
    body: codecSampleInputSchema,
    response: codecSampleSchema,
  }),
  deleteCodecSample: defineRoute({
    method: 'DELETE',
    path: '/api/codecs/:id/samples/:sampleId',
    tag: 'codecs',
    summary: 'Delete a sample',
    params: sampleParams,
    response: z.object({ deleted: z.literal(true) }),
  }),
  runCodecSamples: defineRoute({
    method: 'POST',
    path: '/api/codecs/:id/samples/run',
    tag: 'codecs',
    summary: 'Run every sample through the active codec (or a draft): pass/fail with a diff',
    params: codecParams,
    body: z.object({ draft: codecDraftSchema.optional() }).default({}),
    response: z.object({ results: z.array(sampleRunSchema), passed: z.number().int(), failed: z.number().int() }),
  }),
  tryCodec: defineRoute({
    method: 'POST',
    path: '/api/codecs/:id/try',
    tag: 'codecs',
    summary: 'Decode an ad hoc frame or encode an ad hoc command with the active codec (or a draft)',
    params: codecParams,
    body: codecTryRequestSchema,
    response: codecTryResponseSchema,
  }),
  listCodecSampleSets: defineRoute({
    method: 'GET',
    path: '/api/codec-samples',
    tag: 'codecs',
    summary: 'Codecs shipped with the workbench (e.g. water-meter), each as a script and as a layout',
    response: z.object({ names: z.array(z.string()) }),
  }),
  installCodecSample: defineRoute({
    method: 'POST',
    path: '/api/codecs/:id/install-sample',
    tag: 'codecs',
    summary: 'Start from a shipped codec: saves it as a new version and adds its sample frames if the codec has none',
    params: codecParams,
    body: z.object({ name: z.string().min(1).max(64), kind: z.enum(codecKinds) }),
    response: codecSchema,
    status: 201,
  }),
  codecCSource: defineRoute({
    method: 'GET',
    path: '/api/codecs/:id/c-source',
    tag: 'codecs',
    summary: 'C header and source (structs, pack/unpack per message) generated from the active layout codec',
    params: codecParams,
    response: cSourceSchema,
  }),
} as const;
