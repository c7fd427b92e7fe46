import type { Client } from 'aedes';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { TappedConnection } from '../../../../../core/access/mqtt/frame-tap.js';
import { SessionTable, type Session } from '../../../../../core/access/mqtt/session-table.js';

const client = (id: string) => ({ id, closed: false }) as unknown as Client & { closed: boolean };
const conn = (connectionId: string): TappedConnection => ({
  stream: new Duplex(),
  connectionId,
  local: '127.0.0.1:1883',
  peer: '127.0.0.1:40000',
  peerAddress: '127.0.0.1',
});
const session = (deviceId: string, connectionId: string): Session => ({
  deviceId,
  productId: 'p',
  model: undefined,
  scope: { ids: [deviceId], customTopics: [] },
  dialect: 'iotda',
  conn: conn(connectionId),
  ready: false,
});

describe('MQTT sessions', () => {
  it('makes a ready session its device live one, and forgets it when it closes', () => {
    const table = new SessionTable();
    const c = client('p_1_0_0_2026112612');
    table.loggedIn(c, session('p_1', 'c1'));
    expect(table.liveSession('p_1')).toBeUndefined();
    expect(table.deviceOn('c1')).toBe('p_1');
    expect(table.becameReady(c)).toMatchObject({ session: { deviceId: 'p_1', ready: true } });
    expect(table.becameReady(c)?.replaced).toBeUndefined();
    expect(table.liveSession('p_1')?.client).toBe(c);
    expect(table.closed(c)).toMatchObject({ wasLive: true });
    expect(table.liveSession('p_1')).toBeUndefined();
    expect(table.closed(c)).toBeUndefined();
  });

  it('lets a newer session of the same device replace the older one', () => {
    const table = new SessionTable();
    const older = client('p_1_0_0_2026112612');
    const newer = client('p_1_0_1_2026112613');
    table.loggedIn(older, session('p_1', 'c1'));
    table.loggedIn(newer, session('p_1', 'c2'));
    table.becameReady(older);
    const ready = table.becameReady(newer);
    expect(ready?.replaced?.client).toBe(older);
    expect(table.liveSession('p_1')?.client).toBe(newer);
    // The older one closing later does not take the device's live session with it.
    older.closed = true;
    expect(table.closed(older)).toMatchObject({ wasLive: false });
    expect(table.liveSession('p_1')?.client).toBe(newer);
  });

  it('counts a same-clientId takeover by aedes as a replacement, but not a session that had already dropped', () => {
    const table = new SessionTable();
    const first = client('same');
    const again = client('same');
    table.loggedIn(first, session('p_1', 'c1'));
    table.loggedIn(again, session('p_1', 'c2'));
    table.becameReady(first);
    first.closed = true;
    expect(table.becameReady(again)?.replaced?.client).toBe(first);

    const dropped = client('p_2_0_0_2026112612');
    const next = client('p_2_0_1_2026112612');
    table.loggedIn(dropped, session('p_2', 'c3'));
    table.loggedIn(next, session('p_2', 'c4'));
    table.becameReady(dropped);
    dropped.closed = true;
    expect(table.becameReady(next)?.replaced).toBeUndefined();
  });

  it('does not hand out a live session whose client is closed', () => {
    const table = new SessionTable();
    const c = client('x');
    table.loggedIn(c, session('p_1', 'c1'));
    table.becameReady(c);
    c.closed = true;
    expect(table.liveSession('p_1')).toBeUndefined();
  });
});
