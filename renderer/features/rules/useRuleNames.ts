// Names and pickers for the devices, products and groups a rule speaks of.
import { useMemo } from 'react';
import type { GroupTreeNode } from '../../../core/contract/index.js';
import { useGroupTree } from '../groups/groupQueries.js';
import { useDeviceOptions, useProductOptions } from './ruleQueries.js';
import type { NameOf } from './ruleSentence.js';

export interface Option {
  value: string;
  label: string;
}

function flatten(nodes: readonly GroupTreeNode[], prefix = ''): Option[] {
  return nodes.flatMap((n) => [
    { value: n.id, label: `${prefix}${n.name}` },
    ...flatten(n.children, `${prefix}${n.name} / `),
  ]);
}

export function useRuleNames() {
  const devices = useDeviceOptions();
  const products = useProductOptions();
  const groups = useGroupTree();
  return useMemo(() => {
    const deviceItems = devices.data?.items ?? [];
    const options: Record<'device' | 'product' | 'group', Option[]> = {
      device: deviceItems.map((d) => ({ value: d.deviceId, label: `${d.name ?? d.nodeId} · ${d.nodeId}` })),
      product: (products.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.deviceType} · ${p.model}` })),
      group: flatten(groups.data?.roots ?? []),
    };
    const labels = new Map<string, string>();
    for (const d of deviceItems) labels.set(`device:${d.deviceId}`, d.name ?? d.nodeId);
    for (const o of options.product) labels.set(`product:${o.value}`, o.label);
    for (const o of options.group) labels.set(`group:${o.value}`, o.label);
    const nameOf: NameOf = (kind, id) => labels.get(`${kind}:${id}`) ?? id;
    const productOfDevice = (deviceId: string) => deviceItems.find((d) => d.deviceId === deviceId)?.productId;
    return { options, nameOf, productOfDevice };
  }, [devices.data, products.data, groups.data]);
}
