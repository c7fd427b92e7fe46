// §1.14 rules: create, update, delete, query, status one by one and in a batch. The rules are the rule engine's own
// linkage rules (one store): made here they show in the UI and run in the engine; made in the UI they are listed here.
import type { AppIdentity } from '../apps/index.js';
import {
  northboundRuleBatchStatusSchema,
  northboundRuleQuerySchema,
  northboundRuleStatusSchema,
  type NorthboundRuleBatchAnswer,
  type NorthboundRuleResult,
} from '../contract/northbound-rules.js';
import type { LinkageRule, LinkageRuleInput } from '../contract/rules.js';
import { DomainError } from '../domain-error.js';
import { appIdQuerySchema } from './northbound-bodies.js';
import { parse, type NorthboundContext } from './northbound-context.js';
import { invalidInput, toNorthboundError } from './northbound-errors.js';
import { ruleFromDto, ruleToDto } from './northbound-rule-dto.js';

const RULES = '/iocm/app/rule/v1.2.0/rules';

/** What the section needs of the rule engine's linkage service. */
export interface NorthboundRules {
  list(appId?: string): LinkageRule[];
  get(ruleId: string): LinkageRule;
  create(input: LinkageRuleInput): LinkageRule;
  update(ruleId: string, input: LinkageRuleInput): LinkageRule;
  setEnabled(ruleId: string, enabled: boolean): LinkageRule;
  delete(ruleId: string): boolean;
}

const SUCCESS: NorthboundRuleResult = { result_code: '0', result_desc: 'success' };

/** `now` is the platform clock's: a daily or cycle timer's first firing is computed from it. */
export function registerRuleRoutes(context: NorthboundContext, rules: () => NorthboundRules, now: () => number): void {
  const { route, deps, authed, actingFor, ownedDevice } = context;

  /** Another application's rule is "not existed" for this one, as its devices are. */
  const ownedRule = (ruleId: string, app: AppIdentity): LinkageRule => {
    const rule = rules().get(ruleId);
    if (rule.appId !== app.appId)
      throw new DomainError('RULE_NOT_FOUND', `the application ${app.appId} has no rule ${ruleId}`, 'ruleId');
    return rule;
  };

  /** The rule's devices and groups must be the acting application's. */
  const checkHeld = (input: LinkageRuleInput, app: AppIdentity): void => {
    for (const c of input.conditions) {
      if (c.kind !== 'property') continue;
      if (c.scope.kind === 'device') ownedDevice(c.scope.deviceId, app);
      if (c.scope.kind === 'group') deps.groups().get(c.scope.groupId, app.appId);
    }
    for (const a of input.actions) if (a.kind === 'command') ownedDevice(a.deviceId, app);
  };

  const fromBody = (body: unknown) => {
    const mapped = ruleFromDto(body, {
      now: now(),
      productOf: (identity) => deps.products.findByIdentity(identity)?.id,
    });
    if (!mapped.ok) throw invalidInput(`${mapped.path}: ${mapped.message}`);
    return mapped;
  };

  const appOf = (request: { query: unknown }, caller: AppIdentity | undefined) =>
    actingFor(authed(caller), parse(appIdQuerySchema, request.query, 'query').appId, 'edit');

  route('POST', RULES, (request, caller) => {
    const app = appOf(request, caller);
    const { input } = fromBody(request.body);
    checkHeld(input, app);
    const rule = rules().create({ ...input, appId: app.appId });
    return { status: 200, body: { ruleId: rule.ruleId } };
  });

  route('PUT', RULES, (request, caller) => {
    const app = appOf(request, caller);
    const { ruleId, input, status } = fromBody(request.body);
    if (!ruleId) throw invalidInput('body.ruleId: the rule to update is required');
    const old = ownedRule(ruleId, app);
    checkHeld(input, app);
    // Without a status the rule keeps the one it has.
    const rule = rules().update(ruleId, { ...input, appId: app.appId, enabled: status ? input.enabled : old.enabled });
    return { status: 200, body: { ruleId: rule.ruleId } };
  });

  route('DELETE', `${RULES}/:ruleId`, (request, caller) => {
    const app = appOf(request, caller);
    const { ruleId } = request.params as { ruleId: string };
    ownedRule(ruleId, app);
    rules().delete(ruleId);
    return { status: 204 };
  });

  route('GET', RULES, (request, caller) => {
    const query = parse(northboundRuleQuerySchema, request.query, 'query');
    const app = actingFor(authed(caller), query.appId, 'query');
    const found = rules()
      .list(app.appId)
      .filter(
        (r) =>
          (query.name === undefined || r.name === query.name) &&
          (query.author === undefined || r.appId === query.author) &&
          (query.ruleId === undefined || r.ruleId === query.ruleId),
      );
    return { status: 200, body: found.map(ruleToDto) };
  });

  route('PUT', `${RULES}/:ruleId/status/:status`, (request, caller) => {
    const app = appOf(request, caller);
    const params = request.params as { ruleId: string; status: string };
    const status = parse(northboundRuleStatusSchema, params.status, 'params.status');
    ownedRule(params.ruleId, app);
    rules().setEnabled(params.ruleId, status === 'active');
    return { status: 200, body: { ruleId: params.ruleId, status } };
  });

  route('PUT', `${RULES}/status`, (request, caller) => {
    const app = appOf(request, caller);
    const { requests } = parse(northboundRuleBatchStatusSchema, request.body, 'body');
    const responses = requests.map(({ ruleId, status }) => {
      try {
        ownedRule(ruleId, app);
        rules().setEnabled(ruleId, status === 'active');
        return { ruleId, status, result: SUCCESS };
      } catch (error) {
        const refused = toNorthboundError(error);
        return { ruleId, status, result: { result_code: refused.errorCode, result_desc: refused.message } };
      }
    });
    const failed = responses.filter((r) => r.result.result_code !== '0').length;
    const answer: NorthboundRuleBatchAnswer = {
      result:
        failed === 0
          ? SUCCESS
          : { result_code: '100022', result_desc: `${failed} of ${responses.length} rules were not changed` },
      responses,
    };
    return { status: 200, body: answer };
  });
}
