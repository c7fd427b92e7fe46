// Message de-duplication: a message id seen again keeps its answer; old ones are forgotten oldest first.
import { describe, expect, it } from 'vitest';
import { RecentMessages } from '../../../../../core/access/coap/coap-dedup.js';

describe('RecentMessages', () => {
  it('keeps the answer given to a message until it is older than the exchange lifetime', () => {
    const recent = new RecentMessages();
    recent.remember('a#1', 100, Buffer.from('ack'));
    recent.remember('a#2', 200);
    expect(recent.get('a#1')?.answer?.toString()).toBe('ack');
    recent.sweep(150);
    expect(recent.get('a#1')).toBeUndefined();
    expect(recent.get('a#2')).toEqual({ at: 200 });
  });

  it('moves a message remembered again to the young end', () => {
    const recent = new RecentMessages();
    recent.remember('a#1', 100);
    recent.remember('a#2', 200);
    recent.remember('a#1', 300);
    recent.sweep(250);
    expect(recent.get('a#1')).toEqual({ at: 300 });
    expect(recent.get('a#2')).toBeUndefined();
  });
});
