// §1.2 application authentication: login, refreshToken and logout, the routes that need no token.
import type { IssuedTokens } from '../apps/index.js';
import { parse, type NorthboundContext } from './northbound-context.js';
import { loginBodySchema, logoutBodySchema, refreshBodySchema } from './northbound-bodies.js';

const tokens = (t: IssuedTokens) => ({
  scope: 'default',
  tokenType: 'Bearer',
  expiresIn: t.expiresIn,
  accessToken: t.accessToken,
  refreshToken: t.refreshToken,
});

export function registerAuthRoutes({ route, deps }: NorthboundContext): void {
  route(
    'POST',
    '/iocm/app/sec/v1.1.0/login',
    (request) => {
      const body = parse(loginBodySchema, request.body, 'body');
      return { status: 200, body: tokens(deps.apps().login(body.appId, body.secret ?? body.Secret ?? '')) };
    },
    { public: true },
  );
  route(
    'POST',
    '/iocm/app/sec/v1.1.0/refreshToken',
    (request) => {
      const body = parse(refreshBodySchema, request.body, 'body');
      return { status: 200, body: tokens(deps.apps().refresh(body.appId, body.secret, body.refreshToken)) };
    },
    { public: true },
  );
  route(
    'POST',
    '/iocm/app/sec/v1.1.0/logout',
    (request) => {
      deps.apps().logout(parse(logoutBodySchema, request.body, 'body').accessToken);
      return { status: 200 };
    },
    { public: true },
  );
}
