// enforced: how many devices of one cell upgrade at once. A device waits for a slot in its cell; the cell's
// limit is that of the weakest coverage level any of the task's devices in it reported.
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

  /** Resolves `admit` now or once a slot frees; a sub-task already holding a slot (resume) keeps it. */
  acquire(taskId: string, cellId: string, subTaskId: string, level: CoverageLevel, admit: () => void): void {
    const cell = this.cell(taskId, cellId);
    cell.level = cell.level === undefined ? level : weakerLevel(cell.level, level);
    if (cell.holders.has(subTaskId)) return admit();
    cell.waiters.push({ subTaskId, level, admit });
    this.admit(cell);
  }

  release(taskId: string, subTaskId: string): void {
    const byCell = this.cells.get(taskId);
    if (!byCell) return;
    for (const cell of byCell.values()) {
      const held = cell.holders.delete(subTaskId);
      const waiting = cell.waiters.findIndex((w) => w.subTaskId === subTaskId);
      if (waiting >= 0) cell.waiters.splice(waiting, 1);
      if (held || waiting >= 0) this.admit(cell);
    }
  }

  forgetTask(taskId: string): void {
    this.cells.delete(taskId);
  }

  private admit(cell: Cell): void {
    while (cell.waiters.length > 0) {
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
