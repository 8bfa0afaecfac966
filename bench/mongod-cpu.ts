import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The CPU time of the mongod the benchmark talks to, when it runs on this machine (Linux /proc): on 2 cores
 * MongoDB competes with Folio and the load generator, and under Wine each command costs it far more than a
 * native mongod would, so "what MongoDB spent per request" belongs in the report. Undefined when the
 * database is remote or /proc is unavailable.
 */

/** USER_HZ is 100 on every Linux this runs on. */
const JIFFY_MS = 10;

function loopbackPort(uri: string): number | undefined {
  const match = /^mongodb:\/\/(?:127\.0\.0\.1|localhost):(\d+)(?:[/?]|$)/.exec(uri);
  return match?.[1] ? Number(match[1]) : undefined;
}

/** The inode of the socket listening on the port (IPv4, /proc/net/tcp). */
function listeningInode(port: number): string | undefined {
  const lines = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    const local = f[1];
    const state = f[3];
    if (local && state === '0A' && Number.parseInt(local.split(':')[1] ?? '', 16) === port) return f[9];
  }
  return undefined;
}

function pidOwningSocket(inode: string): number | undefined {
  const target = `socket:[${inode}]`;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return Number(pid);
      }
    } catch {
      // A process that exited meanwhile, or one we may not inspect.
    }
  }
  return undefined;
}

/** Wine runs a Windows mongod with the help of wineserver, which does part of its system calls' work. */
function wineserverPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('wineserver');
      } catch {
        return false;
      }
    })
    .map(Number);
}

function cpuMsOf(pid: number): number {
  // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * JIFFY_MS;
}

export interface MongodCpu {
  /** mongod.exe under Wine, or a native mongod. */
  readonly underWine: boolean;
  /** CPU milliseconds so far: mongod, plus wineserver under Wine (shared with any other Wine process). */
  read(): number | undefined;
}

/** Finds the local mongod behind a URI and how to read its CPU time; undefined for a remote one. */
export function localMongodCpu(uri: string): MongodCpu | undefined {
  try {
    const port = loopbackPort(uri);
    const inode = port === undefined ? undefined : listeningInode(port);
    const pid = inode === undefined ? undefined : pidOwningSocket(inode);
    if (pid === undefined) return undefined;
    // The Windows build's process is Wine's loader running mongod.exe.
    const underWine = /wine/.test(readlinkSync(`/proc/${pid}/exe`));
    const helpers = underWine ? wineserverPids() : [];
    return {
      underWine,
      read: () => {
        try {
          return [pid, ...helpers].reduce((sum, p) => sum + cpuMsOf(p), 0);
        } catch {
          return undefined;
        }
      },
    };
  } catch {
    return undefined;
  }
}
