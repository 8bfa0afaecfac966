import { readFileSync } from 'node:fs';

/**
 * Where the machine's CPU went during a run. The server reports its own CPU time; this side knows its own
 * (the load generator) and, on Linux, the whole machine's, so the rest — MongoDB (and, here, Wine's
 * wineserver), plus anything else running — is what is left. On 2 cores the three compete, so a page that
 * is cheap for Folio can still be slow because MongoDB or the load generator is busy.
 */

interface Mark {
  readonly at: number;
  readonly self: NodeJS.CpuUsage;
  /** Busy jiffies of all cores, or undefined where /proc/stat does not exist. */
  readonly machineBusy: number | undefined;
}

export interface CpuShares {
  /** Percent of one core, e.g. 85 = 0.85 cores. */
  readonly loadGeneratorPercent: number;
  readonly machinePercent: number | null;
}

/** USER_HZ is 100 on every Linux this runs on. */
const JIFFY_MS = 10;

function machineBusyJiffies(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [, ...fields] = line.trim().split(/\s+/);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields.map(Number);
    return user + nice + system + irq + softirq + steal;
  } catch {
    return undefined;
  }
}

export function markCpu(): Mark {
  return { at: performance.now(), self: process.cpuUsage(), machineBusy: machineBusyJiffies() };
}

export function cpuSince(mark: Mark): CpuShares {
  const wallMs = performance.now() - mark.at;
  const self = process.cpuUsage(mark.self);
  const busy = machineBusyJiffies();
  const pct = (ms: number) => Math.round((ms / wallMs) * 100);
  return {
    loadGeneratorPercent: pct((self.user + self.system) / 1000),
    machinePercent:
      busy === undefined || mark.machineBusy === undefined ? null : pct((busy - mark.machineBusy) * JIFFY_MS),
  };
}
