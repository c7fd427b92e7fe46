// Codecs per product: versions, samples, and the decode/encode entry points other capabilities call.
import type { Clock } from '../clock.js';
import {
  codecLayoutSchema,
  type Codec,
  type CodecCommand,
  type CodecDraft,
  type CodecError,
  type CodecLayout,
  type CodecSample,
  type CodecSampleInput,
  type CodecVersion,
  type CSource,
  type DecodeResult,
  type EncodeResult,
  type SampleRun,
} from '../contract/codecs.js';
import type { ProductModel } from '../contract/product-model.js';
import { DomainError } from '../domain-error.js';
import type { CodecStore } from './codec-store.js';
import { bytesToHex, hexToBytes } from './hex.js';
import { jsonDiff } from './json-diff.js';
import { generateLayoutC } from './layout-c-generator.js';
import { decodeWithLayout, encodeCommandWithLayout } from './layout-codec.js';
import { validateDecoded } from './model-validation.js';
import { ScriptPool, type PooledScript, type ScriptPoolOptions } from './script-pool.js';
import { parseScriptDecodeOutput, scriptEncodeInput } from './script-format.js';

/** How codecs read product models; the composition root wires it to the products service. */
export interface ProductLookup {
  getModel(productId: string): ProductModel | undefined;
}

type DecodeOutcome =
  { ok: true; message: import('../contract/codecs.js').DecodedMessage } | { ok: false; error: CodecError };
type EncodeOutcome = { ok: true; bytes: Uint8Array } | { ok: false; error: CodecError };

interface RunnableCodec {
  decode(bytes: Uint8Array, topic: string): DecodeOutcome | Promise<DecodeOutcome>;
  encode(command: CodecCommand): EncodeOutcome | Promise<EncodeOutcome>;
  dispose(): void;
}

export type LayoutParse = { ok: true; layout: CodecLayout } | { ok: false; error: CodecError & { path?: string } };

export function parseLayoutSource(source: string): LayoutParse {
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (error) {
    return {
      ok: false,
      error: { code: 'LAYOUT_NOT_JSON', message: `the layout is not JSON: ${(error as Error).message}` },
    };
  }
  const parsed = codecLayoutSchema.safeParse(json);
  if (parsed.success) return { ok: true, layout: parsed.data };
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).map(String).join('.');
  return {
    ok: false,
    error: { code: 'LAYOUT_INVALID', message: `${path || '(root)'}: ${issue?.message ?? 'invalid'}`, path },
  };
}

class LayoutRunnable implements RunnableCodec {
  constructor(readonly layout: CodecLayout) {}
  decode(bytes: Uint8Array): DecodeOutcome {
    const r = decodeWithLayout(this.layout, bytes);
    return r.ok ? { ok: true, message: r.value } : r;
  }
  encode(command: CodecCommand): EncodeOutcome {
    const r = encodeCommandWithLayout(this.layout, command);
    return r.ok ? { ok: true, bytes: r.value } : r;
  }
  dispose(): void {}
}

class ScriptRunnable implements RunnableCodec {
  constructor(private readonly script: PooledScript) {}
  async decode(bytes: Uint8Array, topic: string): Promise<DecodeOutcome> {
    const out = await this.script.decode(bytes, topic);
    if (!out.ok) return out;
    return parseScriptDecodeOutput(out.value);
  }
  async encode(command: CodecCommand): Promise<EncodeOutcome> {
    const out = await this.script.encode(scriptEncodeInput(command));
    return out.ok ? { ok: true, bytes: out.value } : out;
  }
  dispose(): void {
    this.script.dispose();
  }
}

export class CodecService {
  private readonly cache = new Map<string, RunnableCodec>();
  private pool: ScriptPool | undefined;

  constructor(
    private readonly store: CodecStore,
    private readonly clock: Clock,
    private readonly products?: ProductLookup,
    private readonly sandbox: ScriptPoolOptions = {},
  ) {}

  /** Script codecs run on worker threads, started on first use. */
  private scripts(): ScriptPool {
    this.pool ??= new ScriptPool(this.sandbox);
    return this.pool;
  }

  private model(productId: string): ProductModel | undefined {
    return this.products?.getModel(productId);
  }

  private compile(draft: CodecDraft): { ok: true; codec: RunnableCodec } | { ok: false; error: CodecError } {
    if (draft.kind === 'layout') {
      const parsed = parseLayoutSource(draft.source);
      return parsed.ok ? { ok: true, codec: new LayoutRunnable(parsed.layout) } : parsed;
    }
    return { ok: true, codec: new ScriptRunnable(this.scripts().load(draft.source)) };
  }

  /** The active codec, compiled once per version. */
  private activeRunnable(productId: string): { ok: true; codec: RunnableCodec } | { ok: false; error: CodecError } {
    const active = this.store.active(productId);
    if (!active) return { ok: false, error: { code: 'NO_CODEC', message: `product ${productId} has no active codec` } };
    const key = `${productId}#${active.version}`;
    const cached = this.cache.get(key);
    if (cached) return { ok: true, codec: cached };
    const compiled = this.compile(active);
    if (compiled.ok) {
      for (const [k, c] of this.cache) {
        if (k.startsWith(`${productId}#`)) {
          c.dispose();
          this.cache.delete(k);
        }
      }
      this.cache.set(key, compiled.codec);
    }
    return compiled;
  }

  private runnable(productId: string, draft?: CodecDraft) {
    if (!draft) return { ...this.activeRunnable(productId), owned: false };
    return { ...this.compile(draft), owned: true };
  }

  /** The active version's number, or undefined when the product has no codec. */
  activeVersion(productId: string): number | undefined {
    return this.store.active(productId)?.version;
  }

  hasActive(productId: string): boolean {
    return this.store.active(productId) !== undefined;
  }

  getCodec(productId: string): Codec {
    const versions = this.store.versions(productId);
    if (versions.length === 0)
      throw new DomainError('CODEC_NOT_FOUND', `product ${productId} has no codec`, 'params.id');
    return {
      productId,
      active: this.store.active(productId) ?? null,
      versions: versions.map(({ source: _source, ...summary }) => summary),
    };
  }

  listActive(): Omit<CodecVersion, 'source'>[] {
    return this.store.activeVersions().map(({ source: _source, ...summary }) => summary);
  }

  getVersion(productId: string, version: number): CodecVersion {
    const found = this.store.version(productId, version);
    if (!found)
      throw new DomainError(
        'CODEC_VERSION_NOT_FOUND',
        `codec ${productId} has no version ${version}`,
        'params.version',
      );
    return found;
  }

  /** Every save is a new version; invalid code is refused before it is stored. */
  async saveVersion(productId: string, draft: CodecDraft): Promise<CodecVersion> {
    if (this.products && !this.products.getModel(productId)) {
      throw new DomainError('PRODUCT_NOT_FOUND', `no product ${productId}`, 'params.id');
    }
    if (draft.kind === 'layout') {
      const parsed = parseLayoutSource(draft.source);
      if (!parsed.ok)
        throw new DomainError(
          parsed.error.code,
          parsed.error.message,
          `body.source${parsed.error.path ? `.${parsed.error.path}` : ''}`,
        );
    } else {
      const script = this.scripts().load(draft.source);
      const check = await script.check();
      script.dispose();
      if (!check.ok) throw new DomainError(check.error.code, check.error.message, 'body.source');
    }
    return this.store.addVersion(productId, draft.kind, draft.source, new Date(this.clock.now()).toISOString());
  }

  activate(productId: string, version: number): Codec {
    if (!this.store.activate(productId, version)) {
      throw new DomainError(
        'CODEC_VERSION_NOT_FOUND',
        `codec ${productId} has no version ${version}`,
        'params.version',
      );
    }
    return this.getCodec(productId);
  }

  deleteCodec(productId: string): void {
    for (const [k, c] of this.cache) {
      if (k.startsWith(`${productId}#`)) {
        c.dispose();
        this.cache.delete(k);
      }
    }
    if (!this.store.deleteCodec(productId))
      throw new DomainError('CODEC_NOT_FOUND', `product ${productId} has no codec`, 'params.id');
  }

  /** Decodes a device's uplink bytes; failures come back as values with the raw frame, never as exceptions. */
  async decodeUplink(productId: string, bytes: Uint8Array, topic = '', draft?: CodecDraft): Promise<DecodeResult> {
    const raw = bytesToHex(bytes);
    const out = await this.withCodec(productId, draft, (codec) => codec.decode(bytes, topic));
    if (!out.ok) return { ok: false, error: out.error, raw };
    return { ok: true, message: out.message, issues: validateDecoded(this.model(productId), out.message), raw };
  }

  /** Encodes a command for the device: bytes, or the reason it cannot be encoded. */
  async encodeCommand(
    productId: string,
    command: CodecCommand,
    draft?: CodecDraft,
  ): Promise<EncodeResult & { bytes?: Uint8Array }> {
    const out = await this.withCodec(productId, draft, (codec) => codec.encode(command));
    return out.ok ? { ok: true, hex: bytesToHex(out.bytes), bytes: out.bytes } : { ok: false, error: out.error };
  }

  /** Runs one call on the product's (or the draft's) codec; a missing codec or a throw becomes an error value. */
  private async withCodec<T>(
    productId: string,
    draft: CodecDraft | undefined,
    call: (codec: RunnableCodec) => T | Promise<T>,
  ): Promise<T | { ok: false; error: CodecError }> {
    try {
      const r = this.runnable(productId, draft);
      if (!r.ok) return { ok: false, error: r.error };
      try {
        return await call(r.codec);
      } finally {
        if (r.owned) r.codec.dispose();
      }
    } catch (error) {
      return {
        ok: false,
        error: { code: 'CODEC_FAILED', message: error instanceof Error ? error.message : String(error) },
      };
    }
  }

  samples(productId: string): CodecSample[] {
    return this.store.samples(productId);
  }

  addSample(productId: string, input: CodecSampleInput): CodecSample {
    return this.store.addSample(productId, input);
  }

  updateSample(productId: string, id: string, input: CodecSampleInput): CodecSample {
    const updated = this.store.updateSample(productId, id, input);
    if (!updated)
      throw new DomainError('SAMPLE_NOT_FOUND', `codec ${productId} has no sample ${id}`, 'params.sampleId');
    return updated;
  }

  deleteSample(productId: string, id: string): void {
    if (!this.store.deleteSample(productId, id)) {
      throw new DomainError('SAMPLE_NOT_FOUND', `codec ${productId} has no sample ${id}`, 'params.sampleId');
    }
  }

  async runSamples(productId: string, draft?: CodecDraft): Promise<SampleRun[]> {
    const results: SampleRun[] = [];
    for (const sample of this.store.samples(productId)) {
      if (sample.direction === 'uplink') {
        const decoded = await this.decodeUplink(
          productId,
          hexToBytes(sample.hex) ?? new Uint8Array(),
          sample.topic,
          draft,
        );
        const actual = decoded.ok ? decoded.message : undefined;
        const diff = decoded.ok
          ? jsonDiff(sample.expected, actual)
          : [{ path: '$', expected: sample.expected, actual: null }];
        results.push({
          sampleId: sample.id,
          name: sample.name,
          pass: decoded.ok && diff.length === 0,
          actual: actual ?? null,
          expected: sample.expected,
          diff,
          ...(decoded.ok ? {} : { error: decoded.error }),
          issues: decoded.ok ? decoded.issues : [],
        });
      } else {
        const encoded = await this.encodeCommand(productId, sample.command, draft);
        const expected = sample.expectedHex.toUpperCase();
        const actual = encoded.ok ? encoded.hex : null;
        results.push({
          sampleId: sample.id,
          name: sample.name,
          pass: actual === expected,
          actual,
          expected,
          diff: actual === expected ? [] : [{ path: '$', expected, actual }],
          ...(encoded.ok ? {} : { error: encoded.error }),
          issues: [],
        });
      }
    }
    return results;
  }

  cSource(productId: string): CSource {
    const active = this.store.active(productId);
    if (!active) throw new DomainError('CODEC_NOT_FOUND', `product ${productId} has no codec`, 'params.id');
    if (active.kind !== 'layout') {
      throw new DomainError(
        'NOT_A_LAYOUT',
        'C source is generated from layout codecs; the active version is a script',
        'params.id',
      );
    }
    const parsed = parseLayoutSource(active.source);
    if (!parsed.ok) throw new DomainError(parsed.error.code, parsed.error.message, 'params.id');
    const model = this.model(productId);
    return generateLayoutC(parsed.layout, cFileBase(model?.deviceType ?? productId));
  }

  dispose(): void {
    for (const c of this.cache.values()) c.dispose();
    this.cache.clear();
    void this.pool?.close();
    this.pool = undefined;
  }
}

/** A file and symbol prefix for generated C: lower-case identifier characters. */
export function cFileBase(name: string): string {
  const base = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .replace(/^([0-9])/, '_$1')
    .replace(/_+/g, '_');
  return `${base || 'codec'}_codec`;
}
