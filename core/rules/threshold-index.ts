// Fleet threshold rules — one numeric `> >= < <=` condition on every device of a product, no delay, validity, time
// window or timer — sorted by threshold per product, service and property. A report then costs only the rules whose
// threshold lies between the device's previous value and this one: the others' truth did not change.
import type { LinkageRule } from '../contract/rules.js';

interface Watch<T> {
  serviceId: string;
  property: string;
  /** Sorted by threshold. */
  entries: { threshold: number; rule: T }[];
  /** Each device's last finite value. */
  previous: Map<string, number>;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Where a rule goes in the index, or undefined when it must see every report. */
export function thresholdOf(
  rule: LinkageRule,
): { productId: string; serviceId: string; property: string; threshold: number } | undefined {
  if (rule.conditions.length !== 1 || rule.timeRange) return undefined;
  const c = rule.conditions[0];
  if (c?.kind !== 'property' || c.scope.kind !== 'product') return undefined;
  if (c.holdMinutes || c.validitySeconds !== undefined) return undefined;
  if (c.operator !== '>' && c.operator !== '>=' && c.operator !== '<' && c.operator !== '<=') return undefined;
  if (!finite(c.value)) return undefined;
  return { productId: c.scope.productId, serviceId: c.serviceId, property: c.property, threshold: c.value };
}

export class ThresholdIndex<T> {
  private readonly byProduct = new Map<string, Watch<T>[]>();

  get size(): number {
    return this.byProduct.size;
  }

  add(at: { productId: string; serviceId: string; property: string; threshold: number }, rule: T): void {
    let watches = this.byProduct.get(at.productId);
    if (!watches) this.byProduct.set(at.productId, (watches = []));
    let watch = watches.find((w) => w.serviceId === at.serviceId && w.property === at.property);
    if (!watch)
      watches.push((watch = { serviceId: at.serviceId, property: at.property, entries: [], previous: new Map() }));
    watch.entries.push({ threshold: at.threshold, rule });
    watch.entries.sort((a, b) => a.threshold - b.threshold);
  }

  /**
   * Visits the rules whose truth may have changed with this report: those with a threshold between the previous
   * value and this one, or all of the watch when either is not a finite number (the rules then decide for
   * themselves). A rule may be visited once per service it watches in the report.
   */
  affected(
    productId: string,
    deviceId: string,
    services: readonly { serviceId: string; properties: Record<string, unknown> }[],
    visit: (rule: T) => void,
  ): void {
    const watches = this.byProduct.get(productId);
    if (!watches) return;
    for (const watch of watches)
      for (const service of services) {
        if (service.serviceId !== watch.serviceId || !(watch.property in service.properties)) continue;
        const value = service.properties[watch.property];
        const previous = watch.previous.get(deviceId);
        if (finite(value)) watch.previous.set(deviceId, value);
        else watch.previous.delete(deviceId);
        if (previous === undefined || !finite(value)) {
          for (const e of watch.entries) visit(e.rule);
          continue;
        }
        if (previous === value) continue;
        const lo = Math.min(previous, value);
        const hi = Math.max(previous, value);
        const entries = watch.entries;
        let i = firstAtLeast(entries, lo);
        for (; i < entries.length && entries[i]!.threshold <= hi; i++) visit(entries[i]!.rule);
      }
  }
}

function firstAtLeast(entries: readonly { threshold: number }[], value: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.threshold < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
