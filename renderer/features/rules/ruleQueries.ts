// Queries and mutations of the Rules page: linkage rules and their firings, forwarding targets and rules, alarms.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  apiRoutes,
  type AlarmLevel,
  type AlarmState,
  type ForwardRuleBody,
  type LinkageRuleBody,
  type TargetBody,
} from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { useBusEvents } from '../../api/useBusEvents.js';

export interface AlarmFilter {
  level?: AlarmLevel;
  state?: AlarmState;
  deviceId?: string;
}

export const ruleKeys = {
  all: ['rules'] as const,
  linkage: ['rules', 'linkage'] as const,
  firings: ['rules', 'firings'] as const,
  targets: ['rules', 'targets'] as const,
  forwarding: ['rules', 'forwarding'] as const,
  alarms: ['rules', 'alarms'] as const,
};

/** Firings and alarm changes arrive on the `rule` bus topic: refresh what they move. */
export function useRuleLiveRefresh() {
  const client = useQueryClient();
  useBusEvents('rule', () => {
    void client.invalidateQueries({ queryKey: ruleKeys.firings });
    void client.invalidateQueries({ queryKey: ruleKeys.alarms });
    void client.invalidateQueries({ queryKey: ruleKeys.linkage });
  });
}

export function useLinkageRules() {
  const { callApi } = useApi();
  return useQuery({ queryKey: ruleKeys.linkage, queryFn: () => callApi(apiRoutes.listLinkageRules, { query: {} }) });
}

export function useRuleFirings() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: ruleKeys.firings,
    queryFn: () => callApi(apiRoutes.listRuleFirings, { query: { limit: 50 } }),
  });
}

/** `silent`: the form shows the error itself; otherwise it becomes a notification. */
function useRulesMutation<T, R>(fn: (input: T) => Promise<R>, silent = false) {
  const client = useQueryClient();
  return useMutation({
    meta: { silent },
    mutationFn: fn,
    onSuccess: () => void client.invalidateQueries({ queryKey: ruleKeys.all }),
  });
}

export function useSaveLinkageRule() {
  const { callApi } = useApi();
  return useRulesMutation(
    (input: { ruleId?: string; body: LinkageRuleBody }) =>
      input.ruleId
        ? callApi(apiRoutes.updateLinkageRule, { params: { ruleId: input.ruleId }, body: input.body })
        : callApi(apiRoutes.createLinkageRule, { body: input.body }),
    true,
  );
}

export function useEnableLinkageRule() {
  const { callApi } = useApi();
  return useRulesMutation((input: { ruleId: string; enabled: boolean }) =>
    callApi(apiRoutes.enableLinkageRule, { params: { ruleId: input.ruleId }, body: { enabled: input.enabled } }),
  );
}

export function useDeleteLinkageRule() {
  const { callApi } = useApi();
  return useRulesMutation((ruleId: string) => callApi(apiRoutes.deleteLinkageRule, { params: { ruleId } }));
}

export function useTryLinkageRule() {
  const { callApi } = useApi();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: LinkageRuleBody) => callApi(apiRoutes.tryLinkageRule, { body }),
  });
}

export function useTargets() {
  const { callApi } = useApi();
  // The state (backlog, sent/s, last error) moves on its own: poll while the tab is shown.
  return useQuery({
    queryKey: ruleKeys.targets,
    queryFn: () => callApi(apiRoutes.listTargets),
    refetchInterval: 2000,
  });
}

export function useCreateTarget() {
  const { callApi } = useApi();
  return useRulesMutation((body: TargetBody) => callApi(apiRoutes.createTarget, { body }), true);
}

export function useDeleteTarget() {
  const { callApi } = useApi();
  return useRulesMutation((targetId: string) => callApi(apiRoutes.deleteTarget, { params: { targetId } }));
}

export function useForwardRules() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: ruleKeys.forwarding,
    queryFn: () => callApi(apiRoutes.listForwardRules, { query: {} }),
  });
}

export function useCreateForwardRule() {
  const { callApi } = useApi();
  return useRulesMutation((body: ForwardRuleBody) => callApi(apiRoutes.createForwardRule, { body }), true);
}

export function useEnableForwardRule() {
  const { callApi } = useApi();
  return useRulesMutation((input: { ruleId: string; enabled: boolean }) =>
    callApi(apiRoutes.enableForwardRule, { params: { ruleId: input.ruleId }, body: { enabled: input.enabled } }),
  );
}

export function useDeleteForwardRule() {
  const { callApi } = useApi();
  return useRulesMutation((ruleId: string) => callApi(apiRoutes.deleteForwardRule, { params: { ruleId } }));
}

export function useAlarms(filter: AlarmFilter) {
  const { callApi } = useApi();
  return useQuery({
    queryKey: [...ruleKeys.alarms, filter],
    queryFn: () => callApi(apiRoutes.listAlarms, { query: { limit: 200, ...filter } }),
  });
}

export function useAlarmAction() {
  const { callApi } = useApi();
  return useRulesMutation((input: { alarmId: string; action: 'acknowledge' | 'clear' }) =>
    callApi(input.action === 'acknowledge' ? apiRoutes.acknowledgeAlarm : apiRoutes.clearAlarm, {
      params: { alarmId: input.alarmId },
    }),
  );
}

/** Devices and products the form's pickers offer. */
export function useDeviceOptions() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: ['devices', 'rule-options'],
    queryFn: () => callApi(apiRoutes.listDevices, { query: { limit: 500 } }),
  });
}

export function useProductOptions() {
  const { callApi } = useApi();
  return useQuery({
    queryKey: ['products', 'rule-options'],
    queryFn: () => callApi(apiRoutes.listProducts, { query: { limit: 500 } }),
  });
}
