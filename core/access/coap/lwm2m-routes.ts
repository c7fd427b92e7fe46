// The workbench API of the LwM2M server: object definitions, refused registrations, a device's registration and
// observations, and operations on a registered device.
import type { RouteRegistrar } from '../../api/contract-routes.js';
import { lwm2mRoutes } from '../../contract/lwm2m.js';
import { Lwm2mServerError, type Lwm2mServer } from '../../device-link/lwm2m-link.js';
import { DomainError } from '../../domain-error.js';
import type { CoapAccessState } from './coap-access-state.js';
import type { Lwm2mRefusalLog } from './refusal-log.js';

/** The server's errors as the API's codes (statuses in core/api/error-statuses.ts), with the input at fault. */
const toDomainError = (error: unknown): never => {
  if (error instanceof Lwm2mServerError) {
    const path = error.code === 'NOT_REGISTERED' ? 'params.id' : error.code === 'BAD_REQUEST' ? 'body' : undefined;
    throw new DomainError(`LWM2M_${error.code}`, error.message, path);
  }
  throw error;
};

export function addLwm2mRoutes(
  routes: RouteRegistrar,
  state: CoapAccessState,
  server: Lwm2mServer,
  refusals: Lwm2mRefusalLog,
): void {
  const devices = () => state.deps.devices();
  routes.add(lwm2mRoutes.listLwm2mObjects, () => ({ items: state.definitions.all() }));
  routes.add(lwm2mRoutes.listLwm2mRefusals, ({ query }) => ({ items: refusals.list(query.limit) }));
  routes.add(lwm2mRoutes.getLwm2mRegistration, ({ params }) => {
    devices().require(params.id);
    const registration = server.registration(params.id);
    return { ...(registration ? { registration } : {}), observations: server.observations(params.id) };
  });
  routes.add(lwm2mRoutes.runLwm2mOperation, async ({ params, body }) => {
    devices().require(params.id);
    const id = params.id;
    try {
      switch (body.op) {
        case 'read':
          return await server.read(id, body.path, body.accept ? { accept: body.accept } : {});
        case 'discover':
          return await server.discover(id, body.path);
        case 'observe':
          return await server.observe(id, body.path, body.accept ? { accept: body.accept } : {});
        case 'cancel-observe':
          return await server.cancelObserve(id, body.path);
        case 'execute':
          return await server.execute(id, body.path, body.args);
        case 'write': {
          const format = body.contentFormat ? { contentFormat: body.contentFormat } : {};
          if (body.payloadHex !== undefined)
            return await server.write(id, body.path, {
              payload: Buffer.from(body.payloadHex, 'hex'),
              mode: body.mode,
              ...format,
            });
          if (!body.values?.length)
            throw new DomainError('LWM2M_NOTHING_TO_WRITE', 'a write needs values or payloadHex', 'body.values');
          return await server.write(id, body.path, { values: body.values, mode: body.mode, ...format });
        }
      }
    } catch (error) {
      return toDomainError(error);
    }
  });
}
