import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';

/**
 * One way in (issue 19): the sign-in pipeline (src/auth/sign-in.service.ts) is the only code that makes a
 * visitor signed in, or puts a sign-in on hold. A static scan of src/, so a handler added tomorrow that signs
 * in another way (and skips the gates for closed, suspended, second factor and changed credentials) fails here.
 */

const PIPELINE = 'src/auth/sign-in.service.ts';
const LOW_LEVEL = 'src/auth/sign-in.ts';

interface Rule {
  readonly what: string;
  readonly pattern: RegExp;
  /** Files allowed to match, each with why. */
  readonly allowed: Readonly<Record<string, string>>;
}

const RULES: readonly Rule[] = [
  {
    what: 'imports the low-level sign-in (auth/sign-in.ts)',
    pattern: /from\s+'[./]*(auth\/)?sign-in'/,
    allowed: { [PIPELINE]: 'the pipeline itself' },
  },
  {
    what: 'sets the signed-in user of a session',
    pattern: /session(\??\.|\[['"])user['"\]]?\s*=(?!=)/,
    allowed: { [LOW_LEVEL]: 'called by the pipeline only' },
  },
  {
    what: 'starts a new session id (regenerate)',
    pattern: /regenerateSession\(|\.regenerate\(/,
    allowed: {
      [LOW_LEVEL]: 'called by the pipeline only',
      'src/session/session-ops.ts': 'its definition',
      'src/session/session-lifetime.ts': 'a timeout: the visitor becomes anonymous, never signed in',
      'src/session/session-store.ts': "express-session's Store interface",
    },
  },
  {
    what: 'puts a sign-in on hold (second step, "keep my account")',
    pattern: /(pendingSecondStep|pendingRestore)\s*=\s*(?!undefined\b|=)\S/,
    allowed: { [PIPELINE]: 'the pipeline itself' },
  },
  {
    what: 'starts sudo mode (reauthAt)',
    pattern: /reauthAt\s*[:=](?!=)/,
    allowed: {
      [LOW_LEVEL]: 'from the pipeline, only when the sign-in proved what the account has',
      'src/account/sudo.ts': '"confirm your password"',
    },
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every place a file breaks a rule, as "file: what". */
function violations(files: readonly { readonly file: string; readonly text: string }[]): string[] {
  return files.flatMap(({ file, text }) =>
    RULES.filter((rule) => !(file in rule.allowed))
      .filter((rule) => text.split('\n').some((line) => !/^\s*(\/\/|\*)/.test(line) && rule.pattern.test(line)))
      .map((rule) => `${file}: ${rule.what}`),
  );
}

describe('one way in', () => {
  it('nothing in src/ signs in, holds a sign-in or starts sudo except through the pipeline', () => {
    const files = sourceFiles(path.join(projectRoot, 'src')).map((full) => ({
      file: path.relative(projectRoot, full).split(path.sep).join('/'),
      text: readFileSync(full, 'utf8'),
    }));
    expect(files.some((f) => f.file === PIPELINE)).toBe(true);
    expect(violations(files)).toEqual([]);
  });

  it('the scan catches a handler that signs in by itself', () => {
    const rogue = {
      file: 'src/rogue/rogue.routes.ts',
      text: [
        "import { signIn } from '../auth/sign-in';",
        'await regenerateSession(req);',
        'req.session.user = { id, username };',
        'req.session.pendingSecondStep = { userId };',
        'req.session.auth = { signedInAt: t, lastSeenAt: t, remember: false, reauthAt: t };',
      ].join('\n'),
    };
    expect(violations([rogue])).toHaveLength(RULES.length);
  });
});
