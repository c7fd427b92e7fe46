// The rule engine: linkage rules, alarms and data forwarding; what other capabilities use.
export { createRulesCapability, type RulesCapability, type RulesCapabilityOptions } from './rules-capability.js';
export type { AlarmService } from './alarm-service.js';
export { ruleEventBody } from './rule-event-body.js';
