// The traffic inspector capability: capture of every device frame, its API routes and saved filters.
import type { Capability } from '../capability.js';
import { DomainError } from '../domain-error.js';
import { trafficRoutes } from '../contract/traffic.js';
import { FilterSyntaxError, type FilterNode } from './filter/filter-parser.js';
import { defaultLwm2mDir, loadLwm2mDefinitions } from '../protocols/lwm2m/lwm2m-definitions.js';
import type { CodecResolver } from './codec-layer.js';
import { TrafficCapture, type TrafficCaptureOptions } from './traffic-capture.js';
import {
  deleteSavedFilter,
  listSavedFilters,
  readTrafficSettings,
  saveFilter,
  trafficMigrations,
  writeTrafficSettings,
} from './traffic-store.js';

export interface TrafficCapabilityOptions {
  /** Ring size when none is saved (default 100,000 frames). */
  capacity?: number;
  lwm2mDir?: string;
  /** Each captured frame's device, product and codec, for the codec layer (decoded after capture). */
  codecs?: CodecResolver;
  /** R-15.5's product check for the PCP layer; undefined answers mean "not known". */
  pcpSupport?: (deviceId: string | undefined) => boolean | undefined;
  /** The command a downlink frame carried, for the command layer of its detail. */
  downlinks?: TrafficCaptureOptions['downlinks'];
}

export interface TrafficCapability extends Capability {
  /** Available once started (tests and in-process tools read the capture directly). */
  readonly capture: TrafficCapture | undefined;
}

function filterOrThrow(expression: string | undefined, where: string): FilterNode | undefined {
  try {
    return TrafficCapture.parseFilter(expression);
  } catch (error) {
    if (error instanceof FilterSyntaxError) {
      throw new DomainError('FILTER_INVALID', `${error.message} (at ${error.position + 1})`, where, {
        position: error.position,
      });
    }
    throw error;
  }
}

export function createTrafficCapability(options: TrafficCapabilityOptions = {}): TrafficCapability {
  let capture: TrafficCapture | undefined;
  return {
    name: 'traffic',
    migrations: trafficMigrations,
    get capture() {
      return capture;
    },
    async start({ db, bus, clock, logger, routes, dataDir }) {
      const lwm2m = loadLwm2mDefinitions(options.lwm2mDir ?? defaultLwm2mDir, (file, message) =>
        logger.warn(`LwM2M definitions ${file} skipped: ${message}`),
      );
      const saved = readTrafficSettings(db);
      const c = new TrafficCapture({
        bus,
        clock,
        dataDir,
        lwm2m,
        capacity: saved.capacity ?? options.capacity,
        onError: (message, error) => logger.warn({ err: error }, message),
        ...(options.downlinks ? { downlinks: options.downlinks } : {}),
      });
      capture = c;
      if (options.codecs) c.setCodecResolver(options.codecs);
      if (options.pcpSupport) c.setPcpSupport(options.pcpSupport);
      c.start();
      if (saved.captureToFile) await c.setCaptureToFile(true);

      routes.add(trafficRoutes.listTrafficFrames, async ({ query }) => {
        const filter = filterOrThrow(query.filter, 'query.filter');
        return {
          ...(await c.listDecoded({ filter, limit: query.limit, before: query.before, after: query.after })),
          stats: c.stats(),
        };
      });
      routes.add(trafficRoutes.getTrafficFrame, async ({ params }) => {
        const detail = await c.decodedDetail(params.seq);
        if (!detail)
          throw new DomainError('FRAME_NOT_FOUND', `frame ${params.seq} is not in the capture buffer`, 'params.seq');
        return detail;
      });
      routes.add(trafficRoutes.clearTraffic, () => {
        c.clear();
        return c.stats();
      });
      routes.add(trafficRoutes.trafficStats, () => c.stats());
      routes.add(trafficRoutes.putTrafficSettings, async ({ body }) => {
        if (body.capacity !== undefined) c.setCapacity(body.capacity);
        if (body.captureToFile !== undefined) await c.setCaptureToFile(body.captureToFile);
        if (body.capturing !== undefined) c.setCapturing(body.capturing);
        writeTrafficSettings(db, {
          ...(body.capacity !== undefined ? { capacity: body.capacity } : {}),
          ...(body.captureToFile !== undefined ? { captureToFile: body.captureToFile } : {}),
        });
        return c.stats();
      });
      routes.add(trafficRoutes.checkTrafficFilter, ({ query }) => {
        try {
          TrafficCapture.parseFilter(query.expression);
          return { valid: true };
        } catch (error) {
          if (!(error instanceof FilterSyntaxError)) throw error;
          return { valid: false, error: { message: error.message, position: error.position } };
        }
      });
      routes.add(trafficRoutes.exportTraffic, ({ query }) => {
        const filter = filterOrThrow(query.filter, 'query.filter');
        const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
        const result = query.format === 'json' ? c.exportJson(filter) : c.exportPcapng(filter);
        return {
          fileName: `traffic-${stamp}.${query.format}`,
          mediaType: query.format === 'json' ? 'application/json' : 'application/x-pcapng',
          frames: result.frames,
          contentBase64: result.content.toString('base64'),
        };
      });
      routes.add(trafficRoutes.listSavedFilters, () => ({ filters: listSavedFilters(db) }));
      routes.add(trafficRoutes.saveFilter, ({ body }) => {
        filterOrThrow(body.expression, 'body.expression');
        return saveFilter(db, body.name, body.expression, clock.now());
      });
      routes.add(trafficRoutes.deleteSavedFilter, ({ params }) => ({ deleted: deleteSavedFilter(db, params.id) }));
    },
    async stop() {
      await capture?.stop();
      capture = undefined;
    },
  };
}
