// The codecs capability: tables, the service other capabilities call (decodeUplink / encodeCommand) and its routes.
import type { Capability } from '../capability.js';
import { DomainError } from '../domain-error.js';
import { codecRoutes, type CodecCommand, type DecodeResult, type EncodeResult } from '../contract/codecs.js';
import { codecMigrations, CodecStore } from './codec-store.js';
import { CodecService, type ProductLookup } from './codec-service.js';
import { defaultCodecSamplesDir, listCodecSamples, readCodecSample } from './codec-samples.js';
import { hexToBytes } from './hex.js';
import type { ScriptPoolOptions } from './script-pool.js';

export interface CodecsCapability extends Capability {
  /** Available after start. */
  readonly service: CodecService;
  decodeUplink(productId: string, bytes: Uint8Array, topic?: string): Promise<DecodeResult>;
  encodeCommand(productId: string, command: CodecCommand): Promise<EncodeResult & { bytes?: Uint8Array }>;
}

export interface CodecsCapabilityOptions {
  /** Product models for output validation; without it, values are not checked against a model. */
  products?: ProductLookup;
  /** Folder of shipped codecs; resources/samples/codecs of the package by default. */
  samplesDir?: string;
  /** Worker threads and limits for script codecs. */
  sandbox?: ScriptPoolOptions;
}

export function createCodecsCapability(options: CodecsCapabilityOptions = {}): CodecsCapability {
  let service: CodecService | undefined;
  const running = (): CodecService => {
    if (!service) throw new Error('the codecs capability has not started');
    return service;
  };
  return {
    name: 'codecs',
    migrations: codecMigrations,
    get service() {
      return running();
    },
    decodeUplink: (productId, bytes, topic) => running().decodeUplink(productId, bytes, topic),
    encodeCommand: (productId, command) => running().encodeCommand(productId, command),
    start({ db, clock, routes }) {
      const codecs = new CodecService(new CodecStore(db), clock, options.products, options.sandbox);
      service = codecs;
      routes.add(codecRoutes.listCodecs, () => ({ codecs: codecs.listActive() }));
      routes.add(codecRoutes.getCodec, ({ params }) => codecs.getCodec(params.id));
      routes.add(codecRoutes.saveCodecVersion, ({ params, body }) => codecs.saveVersion(params.id, body));
      routes.add(codecRoutes.getCodecVersion, ({ params }) => codecs.getVersion(params.id, params.version));
      routes.add(codecRoutes.activateCodecVersion, ({ params }) => codecs.activate(params.id, params.version));
      routes.add(codecRoutes.deleteCodec, ({ params }) => {
        codecs.deleteCodec(params.id);
        return { deleted: true as const };
      });
      routes.add(codecRoutes.listCodecSamples, ({ params }) => ({ samples: codecs.samples(params.id) }));
      routes.add(codecRoutes.addCodecSample, ({ params, body }) => codecs.addSample(params.id, body));
      routes.add(codecRoutes.updateCodecSample, ({ params, body }) =>
        codecs.updateSample(params.id, params.sampleId, body),
      );
      routes.add(codecRoutes.deleteCodecSample, ({ params }) => {
        codecs.deleteSample(params.id, params.sampleId);
        return { deleted: true as const };
      });
      routes.add(codecRoutes.runCodecSamples, async ({ params, body }) => {
        const results = await codecs.runSamples(params.id, body.draft);
        const passed = results.filter((r) => r.pass).length;
        return { results, passed, failed: results.length - passed };
      });
      routes.add(codecRoutes.tryCodec, async ({ params, body }) => {
        if (!body.draft && !codecs.hasActive(params.id)) {
          throw new DomainError('CODEC_NOT_FOUND', `product ${params.id} has no codec`, 'params.id');
        }
        if (body.direction === 'decode') {
          const bytes = hexToBytes(body.hex) ?? new Uint8Array();
          return { decode: await codecs.decodeUplink(params.id, bytes, body.topic ?? '', body.draft) };
        }
        const { bytes: _bytes, ...encode } = await codecs.encodeCommand(params.id, body.command, body.draft);
        return { encode };
      });
      const samplesDir = options.samplesDir ?? defaultCodecSamplesDir();
      routes.add(codecRoutes.listCodecSampleSets, () => ({ names: listCodecSamples(samplesDir) }));
      routes.add(codecRoutes.installCodecSample, async ({ params, body }) => {
        const shipped = readCodecSample(samplesDir, body.name, body.kind);
        if (!shipped) throw new DomainError('SAMPLE_CODEC_NOT_FOUND', `no shipped codec ${body.name}`, 'body.name');
        const hadSamples = codecs.samples(params.id).length > 0;
        await codecs.saveVersion(params.id, { kind: body.kind, source: shipped.source });
        if (!hadSamples) for (const sample of shipped.samples) codecs.addSample(params.id, sample);
        return codecs.getCodec(params.id);
      });
      routes.add(codecRoutes.codecCSource, ({ params }) => codecs.cSource(params.id));
    },
    stop() {
      service?.dispose();
      service = undefined;
    },
  };
}
