// Slots per cell: never more holders than the weakest level allows; a freed slot admits the next in order.
import { describe, expect, it } from 'vitest';
import { CellSlots } from '../../../../core/ota/cell-slots.js';

describe('CellSlots', () => {
  it('admits up to the limit, queues the rest and admits them as slots free', () => {
    const slots = new CellSlots();
    const admitted: string[] = [];
    for (let i = 0; i < 12; i++) slots.acquire('t', 'c1', `d${i}`, '1', () => admitted.push(`d${i}`));
    expect(admitted).toHaveLength(10);
    expect(slots.view('t')).toEqual([{ cellId: 'c1', level: '1', running: 10, waiting: 2, limit: 10, peak: 10 }]);
    slots.release('t', 'd0');
    expect(admitted).toEqual([...Array.from({ length: 10 }, (_, i) => `d${i}`), 'd10']);
  });

  it('drops a cell to one at a time when a level-2 device joins, and keeps cells apart', () => {
    const slots = new CellSlots();
    const admitted: string[] = [];
    slots.acquire('t', 'a', 'x0', '0', () => admitted.push('x0'));
    slots.acquire('t', 'a', 'x1', '2', () => admitted.push('x1'));
    slots.acquire('t', 'a', 'x2', '0', () => admitted.push('x2'));
    slots.acquire('t', 'b', 'y0', '0', () => admitted.push('y0'));
    expect(admitted).toEqual(['x0', 'y0']);
    slots.release('t', 'x0');
    expect(admitted).toEqual(['x0', 'y0', 'x1']);
    slots.release('t', 'x1');
    expect(admitted).toEqual(['x0', 'y0', 'x1', 'x2']);
    // The cell stays level 2 once its level-2 device is done: its radio did not improve.
    expect(slots.view('t').find((c) => c.cellId === 'a')).toMatchObject({ level: '2', running: 1, limit: 1, peak: 1 });
  });

  it('keeps reporting a cell of level-1 devices as level 1 after they are done, and keeps its limit of 10', () => {
    const slots = new CellSlots();
    const admitted: string[] = [];
    slots.acquire('t', 'c', 'weak0', '1', () => admitted.push('weak0'));
    slots.acquire('t', 'c', 'weak1', '1', () => admitted.push('weak1'));
    slots.release('t', 'weak0');
    slots.release('t', 'weak1');
    expect(slots.view('t')).toEqual([{ cellId: 'c', level: '1', running: 0, waiting: 0, limit: 10, peak: 2 }]);
    // Level-0 devices of the same cell that come later upgrade 10 at a time, not 50.
    for (let i = 0; i < 12; i++) slots.acquire('t', 'c', `strong${i}`, '0', () => admitted.push(`strong${i}`));
    expect(slots.view('t')[0]).toMatchObject({ level: '1', running: 10, waiting: 2, limit: 10, peak: 10 });
  });

  it('forgets a waiting device that is released before its turn', () => {
    const slots = new CellSlots();
    const admitted: string[] = [];
    slots.acquire('t', 'a', 'p', '2', () => admitted.push('p'));
    slots.acquire('t', 'a', 'q', '2', () => admitted.push('q'));
    slots.acquire('t', 'a', 'r', '2', () => admitted.push('r'));
    slots.release('t', 'q');
    slots.release('t', 'p');
    expect(admitted).toEqual(['p', 'r']);
  });

  it('admits no one while a device that started with them has yet to report its coverage', () => {
    const slots = new CellSlots();
    const admitted: string[] = [];
    for (const id of ['s0', 's1', 'w', 'other']) slots.expect('t', id);
    // The strong devices of the mixed cell answer first; the weak one is still reading /4/0.
    slots.acquire('t', 'mixed', 's0', '0', () => admitted.push('s0'));
    slots.acquire('t', 'mixed', 's1', '0', () => admitted.push('s1'));
    expect(admitted).toEqual([]);
    slots.acquire('t', 'mixed', 'w', '2', () => admitted.push('w'));
    // `other` fails before it reports (released): now the cell is known to be level 2, one at a time.
    slots.release('t', 'other');
    expect(admitted).toEqual(['s0']);
    expect(slots.view('t')).toEqual([{ cellId: 'mixed', level: '2', running: 1, waiting: 2, limit: 1, peak: 1 }]);
  });

  it('lets the others go ahead when an expected device gives up reporting, and keeps tasks apart', () => {
    const slots = new CellSlots();
    const admitted: string[] = [];
    slots.expect('t', 'slow');
    slots.acquire('t', 'a', 'x', '0', () => admitted.push('x'));
    slots.acquire('u', 'a', 'y', '0', () => admitted.push('y'));
    expect(admitted).toEqual(['y']);
    slots.unexpect('t', 'slow');
    expect(admitted).toEqual(['y', 'x']);
  });
});
