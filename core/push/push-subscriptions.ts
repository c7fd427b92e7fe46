// Subscriptions (§1.10): which callback URL receives which notify type of which application's devices.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { NotifyType, Subscription } from '../contract/push.js';
import { DomainError } from '../domain-error.js';
import type { PushStore, SubscriptionRow } from './push-store.js';

const EXPLICIT_PORT = /^https?:\/\/(\[[0-9A-Fa-f:.]+\]|[^/:?#@\s]+):(\d{1,5})(?:[/?#]|$)/i;

/** A callback URL as the platform accepts it: http or https, an IP or a name, and an explicit port. */
export function checkCallbackUrl(raw: string, path = 'body.callbackUrl'): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError('BAD_CALLBACK_URL', `${raw} is not a URL`, path);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new DomainError('BAD_CALLBACK_URL', `a callback URL is http or https, not ${url.protocol}`, path);
  const port = EXPLICIT_PORT.exec(raw.trim())?.[2];
  if (port === undefined || Number(port) < 1 || Number(port) > 65535)
    throw new DomainError(
      'BAD_CALLBACK_URL',
      `a callback URL must carry an explicit port, e.g. ${url.protocol}//${url.hostname}:8443${url.pathname}`,
      path,
    );
  return raw.trim();
}

export function subscriptionView(row: SubscriptionRow): Subscription {
  return {
    subscriptionId: row.id,
    appId: row.app_id,
    ownerAppId: row.owner_app_id,
    notifyType: row.notify_type,
    callbackUrl: row.callback_url,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export class PushSubscriptions {
  /** appId → notifyType → callback URLs; rebuilt on every change (subscriptions change rarely, events often). */
  private byApp = new Map<string, Map<NotifyType, string[]>>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly store: PushStore,
    private readonly clock: Clock,
  ) {
    this.rebuild();
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private rebuild(): void {
    const next = new Map<string, Map<NotifyType, string[]>>();
    for (const row of this.store.subscriptions()) {
      let types = next.get(row.app_id);
      if (!types) next.set(row.app_id, (types = new Map<NotifyType, string[]>()));
      const urls = types.get(row.notify_type) ?? [];
      if (!urls.includes(row.callback_url)) urls.push(row.callback_url);
      types.set(row.notify_type, urls);
    }
    this.byApp = next;
    for (const l of this.listeners) l();
  }

  /** The callback URLs that receive `notifyType` for the application's devices. */
  urlsFor(appId: string, notifyType: NotifyType): readonly string[] {
    return this.byApp.get(appId)?.get(notifyType) ?? [];
  }

  wants(appId: string, notifyType: NotifyType): boolean {
    return this.urlsFor(appId, notifyType).length > 0;
  }

  /** Subscribing the same URL to the same type again answers the existing subscription. */
  create(input: { appId: string; ownerAppId: string; notifyType: NotifyType; callbackUrl: string }): Subscription {
    const callbackUrl = checkCallbackUrl(input.callbackUrl);
    const existing = this.store
      .subscriptions()
      .find((s) => s.app_id === input.appId && s.notify_type === input.notifyType && s.callback_url === callbackUrl);
    if (existing) return subscriptionView(existing);
    const row: SubscriptionRow = {
      id: randomBytes(16).toString('hex'),
      app_id: input.appId,
      owner_app_id: input.ownerAppId,
      notify_type: input.notifyType,
      callback_url: callbackUrl,
      created_at: this.clock.now(),
    };
    this.store.addSubscription(row);
    this.rebuild();
    return subscriptionView(row);
  }

  get(subscriptionId: string, appId?: string): Subscription {
    const row = this.store.subscription(subscriptionId);
    if (!row || (appId !== undefined && row.app_id !== appId && row.owner_app_id !== appId))
      throw new DomainError(
        'SUBSCRIPTION_NOT_FOUND',
        `no subscription has the id ${subscriptionId}`,
        'params.subscriptionId',
      );
    return subscriptionView(row);
  }

  list(filter: { appId?: string; notifyType?: string; callbackUrl?: string } = {}): Subscription[] {
    return this.store
      .subscriptions()
      .filter(
        (s) =>
          (filter.appId === undefined || s.app_id === filter.appId || s.owner_app_id === filter.appId) &&
          (filter.notifyType === undefined || s.notify_type === filter.notifyType) &&
          (filter.callbackUrl === undefined || s.callback_url === filter.callbackUrl),
      )
      .map(subscriptionView);
  }

  delete(subscriptionId: string, appId?: string): void {
    this.get(subscriptionId, appId);
    this.store.deleteSubscriptions([subscriptionId]);
    this.rebuild();
  }

  /** Deletes every subscription matching the filter; answers how many. */
  deleteMany(filter: { appId: string; notifyType?: string; callbackUrl?: string }): number {
    const ids = this.list(filter).map((s) => s.subscriptionId);
    this.store.deleteSubscriptions(ids);
    this.rebuild();
    return ids.length;
  }

  /** Every callback URL any subscription names (the UI lists their state). */
  urls(appId?: string): string[] {
    return [...new Set(this.list(appId === undefined ? {} : { appId }).map((s) => s.callbackUrl))];
  }
}
