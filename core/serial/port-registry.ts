// One owner per serial port inside the core: a terminal holds it; a flasher takes it over and hands it back.
export interface PortOwner {
  /** Shown in the port list and in "port busy" errors, e.g. `terminal s1` or `flasher`. */
  name: string;
  /** Close the port because another owner (named `by`, e.g. `flasher`) takes it over. */
  yieldPort(by?: string): Promise<void>;
  /** The port is handed back after a take-over: reopen it. */
  resumePort?(): Promise<void>;
}

export class PortBusyError extends Error {
  constructor(
    readonly path: string,
    readonly owner: string,
  ) {
    super(`${path} is in use by ${owner}`);
    this.name = 'PortBusyError';
  }
}

export interface TakeOver {
  /** Releases the port and lets the previous owner reopen it. */
  handBack(): Promise<void>;
}

export class PortRegistry {
  private readonly owners = new Map<string, PortOwner>();

  ownerOf(path: string): PortOwner | undefined {
    return this.owners.get(path);
  }

  owned(): ReadonlyMap<string, PortOwner> {
    return this.owners;
  }

  acquire(path: string, owner: PortOwner): void {
    const current = this.owners.get(path);
    if (current && current !== owner) throw new PortBusyError(path, current.name);
    this.owners.set(path, owner);
  }

  release(path: string, owner: PortOwner): void {
    if (this.owners.get(path) === owner) this.owners.delete(path);
  }

  async takeOver(path: string, newOwner: PortOwner): Promise<TakeOver> {
    const previous = this.owners.get(path);
    if (previous && previous !== newOwner) await previous.yieldPort(newOwner.name);
    this.owners.set(path, newOwner);
    return {
      handBack: async () => {
        if (this.owners.get(path) !== newOwner) return;
        this.owners.delete(path);
        if (previous?.resumePort) {
          this.owners.set(path, previous);
          await previous.resumePort();
        }
      },
    };
  }
}
