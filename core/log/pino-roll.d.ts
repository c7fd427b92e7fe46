declare module 'pino-roll' {
  import type { EventEmitter } from 'node:events';
  interface PinoRollOptions {
    file: string;
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    symlink?: boolean;
    dateFormat?: string;
    mkdir?: boolean;
  }
  /** The SonicBoom file stream pino-roll returns, as far as the workbench uses it. */
  export interface RollingFileStream extends EventEmitter {
    readonly fd: number;
    readonly destroyed: boolean;
    write(data: string): boolean;
    end(): void;
  }
  export default function pinoRoll(options: PinoRollOptions): Promise<RollingFileStream>;
}
