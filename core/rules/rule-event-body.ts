// The `ruleEvent` push body (§1.11) of a firing: northbound time format, the platform's field names.
import type { RuleFiring } from '../contract/rules.js';
import { formatNorthboundTime } from '../northbound/index.js';

export function ruleEventBody(firing: RuleFiring): Record<string, unknown> {
  return {
    notifyType: 'ruleEvent',
    author: firing.appId,
    ruleId: firing.ruleId,
    ruleName: firing.ruleName,
    logic: firing.logic,
    reasons: firing.reasons.map((r) => ({
      ...r,
      satisfactionTime: formatNorthboundTime(Date.parse(r.satisfactionTime)),
    })),
    triggerTime: formatNorthboundTime(Date.parse(firing.triggerTime)),
    actionsResults: firing.actionsResults,
  };
}
