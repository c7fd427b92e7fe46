// Pure collection of one AT command's response from module lines: final result code, response lines, URCs.
export type AtFinal = 'ok' | 'error' | 'cme-error';

export interface AtCollected {
  final?: AtFinal;
  cmeError?: number;
  lines: string[];
  urcs: string[];
}

const URC_PREFIXES = ['+NNMI', '+QLWEVTIND', '+NSONMI', '+CEREG', '+CSCON', '+NPSMR', '+QLWURC'];
const BOOT_BANNER = [
  /^Boot:/i,
  /^REBOOT_CAUSE_/i,
  /^Neul\b/i,
  /^(Security|Protocol|Apps) [AB]\.+ /i,
  /^\+?REBOOTING$/i,
];

/** The `+NAME` a command's response lines start with (`AT+NCDP?` → `+NCDP`), if any. */
export function responsePrefix(command: string): string | undefined {
  const match = /^AT(\+[A-Z0-9]+)/i.exec(command.trim());
  return match?.[1]?.toUpperCase();
}

/** Whether a line is unsolicited given the command being answered (its own `+NAME:` lines are not). */
export function isUrc(line: string, command: string | undefined): boolean {
  const own = command === undefined ? undefined : responsePrefix(command);
  const prefix = /^(\+[A-Z0-9]+)/i.exec(line)?.[1]?.toUpperCase();
  if (prefix && URC_PREFIXES.includes(prefix)) return prefix !== own;
  if (/^REBOOTING$/i.test(line) && own === '+NRB') return false;
  return BOOT_BANNER.some((re) => re.test(line));
}

export function createAtCollector(command: string): { push(line: string): AtCollected; result(): AtCollected } {
  const collected: AtCollected = { lines: [], urcs: [] };
  const echo = command.trim().toUpperCase();
  let echoSkipped = false;
  return {
    push(line) {
      if (collected.final) {
        collected.urcs.push(line);
        return collected;
      }
      const trimmed = line.trim();
      if (!echoSkipped && trimmed.toUpperCase() === echo) {
        echoSkipped = true;
        return collected;
      }
      if (/^OK$/i.test(trimmed)) collected.final = 'ok';
      else if (/^ERROR$/i.test(trimmed)) collected.final = 'error';
      else {
        const cme = /^\+CME ERROR:\s*(.*)$/i.exec(trimmed);
        if (cme) {
          collected.final = 'cme-error';
          const code = Number.parseInt(cme[1] ?? '', 10);
          if (Number.isFinite(code)) collected.cmeError = code;
          else if (cme[1]) collected.lines.push(cme[1]);
        } else if (isUrc(trimmed, command)) collected.urcs.push(trimmed);
        else collected.lines.push(trimmed);
      }
      return collected;
    },
    result: () => collected,
  };
}
