// enforced: how many devices of one cell upgrade at once. A device waits for a slot in its cell; the cell's
// limit is that of the weakest coverage level any of the task's devices in it reported. Devices that started together
// are admitted only once each has reported its coverage (or given up): otherwise the strong devices of a mixed cell,
// answering first, would take 50 slots before its weak device reports and lowers the cell's limit to 1.
import type { CoverageLevel, OtaCell } from '../contract/ota.js';
import { coverageLimit, weakerLevel } from './coverage.js';

interface Holder {
  subTaskId: string;
  level: CoverageLevel;
}

interface Waiter extends Holder {
  admit: () => void;
}

interface Cell {
  holders: Map<string, Holder>;
  waiters: Waiter[];
  peak: number;
  /** The weakest level seen in this cell during the task: a cell's radio does not improve when a device is done. */
  level: CoverageLevel | undefined;
}

export class CellSlots {
  /** Per task, per cell: slots are a task's own (two tasks never touch the same device at once). */
  private readonly cells = new Map<string, Map<string, Cell>>();
  /** Per task: sub-tasks that started and will report their coverage soon; admissions wait for them. */
  private readonly expected = new Map<string, Set<string>>();

  private cell(taskId: string, cellId: string): Cell {
    let byCell = this.cells.get(taskId);
    if (!byCell) this.cells.set(taskId, (byCell = new Map<string, Cell>()));
    let cell = byCell.get(cellId);
    if (!cell) byCell.set(cellId, (cell = { holders: new Map(), waiters: [], peak: 0, level: undefined }));
    return cell;
  }

  private levelOf(cell: Cell): CoverageLevel {
    return cell.level ?? '0';
  }

  /** The sub-task started and will ask for a slot once its coverage is read: the task's cells admit no one till then. */
  expect(taskId: string, subTaskId: string): void {
    let set = this.expected.get(taskId);
    if (!set) this.expected.set(taskId, (set = new Set()));
    set.add(subTaskId);
  }

  /** The sub-task will not report its coverage soon after all (its wait ran out): the others go ahead. */
  unexpect(taskId: string, subTaskId: string): void {
    if (this.settle(taskId, subTaskId)) this.admitAll(taskId);
  }

  /** Resolves `admit` now or once a slot frees; a sub-task already holding a slot (resume) keeps it. */
  acquire(taskId: string, cellId: string, subTaskId: string, level: CoverageLevel, admit: () => void): void {
    const cell = this.cell(taskId, cellId);
    cell.level = cell.level === undefined ? level : weakerLevel(cell.level, level);
    const settled = this.settle(taskId, subTaskId);
    if (cell.holders.has(subTaskId)) admit();
    else cell.waiters.push({ subTaskId, level, admit });
    if (settled) this.admitAll(taskId);
    else this.admit(taskId, cell);
  }

  release(taskId: string, subTaskId: string): void {
    const settled = this.settle(taskId, subTaskId);
    const byCell = this.cells.get(taskId);
    if (!byCell) return;
    for (const cell of byCell.values()) {
      const held = cell.holders.delete(subTaskId);
      const waiting = cell.waiters.findIndex((w) => w.subTaskId === subTaskId);
      if (waiting >= 0) cell.waiters.splice(waiting, 1);
      if (held || waiting >= 0) this.admit(taskId, cell);
    }
    if (settled) this.admitAll(taskId);
  }

  forgetTask(taskId: string): void {
    this.cells.delete(taskId);
    this.expected.delete(taskId);
  }

  /** True when this was the last expected sub-task of the task (admissions may now go ahead). */
  private settle(taskId: string, subTaskId: string): boolean {
    const set = this.expected.get(taskId);
    if (!set?.delete(subTaskId)) return false;
    if (set.size > 0) return false;
    this.expected.delete(taskId);
    return true;
  }

  private admitAll(taskId: string): void {
    for (const cell of this.cells.get(taskId)?.values() ?? []) this.admit(taskId, cell);
  }

  private admit(taskId: string, cell: Cell): void {
    while (cell.waiters.length > 0) {
      if (this.expected.has(taskId)) return;
      const limit = coverageLimit(this.levelOf(cell));
      if (cell.holders.size >= limit) return;
      const next = cell.waiters.shift()!;
      cell.holders.set(next.subTaskId, { subTaskId: next.subTaskId, level: next.level });
      cell.peak = Math.max(cell.peak, cell.holders.size);
      next.admit();
    }
  }

  view(taskId: string): OtaCell[] {
    return [...(this.cells.get(taskId)?.entries() ?? [])].map(([cellId, cell]) => {
      const level = this.levelOf(cell);
      return {
        cellId,
        level,
        running: cell.holders.size,
        waiting: cell.waiters.length,
        limit: coverageLimit(level),
        peak: cell.peak,
      };
    });
  }
}
