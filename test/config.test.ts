import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('configuration', () => {
  it('has the contract defaults in development', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.mongodbUri).toBeUndefined();
    expect(c.session.cookieName).toBe('folio.sid');
    expect(c.session.cookieSecure).toBe(false);
    expect(c.session.idleMs).toBe(30 * 60_000);
    expect(c.session.absoluteMs).toBe(12 * 3_600_000);
    expect(c.session.rememberMeMs).toBe(30 * 86_400_000);
    expect(c.session.secretIsEphemeral).toBe(true);
    expect(c.bcryptCost).toBe(12);
    expect(c.trustProxy).toBe(false);
    expect(c.logLevel).toBe('info');
    expect(Object.isFrozen(c) && Object.isFrozen(c.session)).toBe(true);
  });

  it('production: secure cookie, 0.0.0.0, secrets split for rotation', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb+srv://user:pw@cluster0.example.net/folio',
      SESSION_SECRET: `${'a'.repeat(32)}, ${'b'.repeat(40)}`,
      DATA_ENCRYPTION_KEY: `${'k'.repeat(32)},${'l'.repeat(32)}`,
      TRUST_PROXY: '1',
    });
    expect(c.dataEncryptionKeys).toEqual(['k'.repeat(32), 'l'.repeat(32)]);
    expect(c.session.cookieName).toBe('__Host-folio.sid');
    expect(c.session.secrets).toEqual(['a'.repeat(32), 'b'.repeat(40)]);
    expect(c.host).toBe('0.0.0.0');
    expect(c.trustProxy).toBe(1);
  });

  it('production requires a long SESSION_SECRET and MONGODB_URI, one problem per line', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'SESSION_SECRET is required in production',
      'DATA_ENCRYPTION_KEY is required in production',
      'MONGODB_URI is required in production (the embedded MongoDB is for development only)',
    ]);
    expect(
      problemsOf({
        NODE_ENV: 'production',
        SESSION_SECRET: 'short',
        DATA_ENCRYPTION_KEY: 'short',
        MONGODB_URI: 'mongodb://x/y',
      }),
    ).toEqual([
      'SESSION_SECRET every secret must be at least 32 characters in production',
      'DATA_ENCRYPTION_KEY every key must be at least 32 characters in production',
    ]);
  });

  it('rejects nonsense with a clear message per variable', () => {
    const problems = problemsOf({ PORT: 'abc', BCRYPT_COST: '3', COOKIE_SECURE: 'maybe', MONGODB_URI: 'http://x' });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT must be a whole number/);
    expect(problems.join('\n')).toMatch(/BCRYPT_COST/);
    expect(problems.join('\n')).toMatch(/COOKIE_SECURE must be true or false/);
    expect(problems.join('\n')).toMatch(/MONGODB_URI must start with mongodb/);
  });

  it('BCRYPT_COST: 4 is accepted outside production (tests), production refuses anything under 10', () => {
    expect(loadConfig({ BCRYPT_COST: '4' }).bcryptCost).toBe(4);
    expect(loadConfig({ NODE_ENV: 'test', BCRYPT_COST: '4' }).bcryptCost).toBe(4);
    expect(problemsOf({ BCRYPT_COST: '3' })).toEqual(['BCRYPT_COST Too small: expected number to be >=4']);
    const production = {
      NODE_ENV: 'production',
      SESSION_SECRET: 'a'.repeat(32),
      DATA_ENCRYPTION_KEY: 'k'.repeat(32),
      MONGODB_URI: 'mongodb://x/y',
    };
    expect(problemsOf({ ...production, BCRYPT_COST: '9' })).toEqual(['BCRYPT_COST must be at least 10 in production']);
    expect(loadConfig({ ...production, BCRYPT_COST: '10' }).bcryptCost).toBe(10);
  });

  it('TRUST_PROXY passes names through and COOKIE_SECURE=true switches to __Host-', () => {
    const c = loadConfig({ TRUST_PROXY: 'loopback', COOKIE_SECURE: 'true' });
    expect(c.trustProxy).toBe('loopback');
    expect(c.session.cookieName).toBe('__Host-folio.sid');
  });
});

describe('configuration for hosts, proxies and cookies', () => {
  it('TRUST_PROXY=true is refused with a clear line', () => {
    const problems = problemsOf({ TRUST_PROXY: 'true' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^TRUST_PROXY .*hop count/);
  });

  it('production with COOKIE_SECURE=false starts, with a loud warning', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db/folio',
      SESSION_SECRET: 'x'.repeat(40),
      DATA_ENCRYPTION_KEY: 'k'.repeat(40),
      COOKIE_SECURE: 'false',
      PUBLIC_URL: 'https://blog.example.com',
    });
    expect(c.warnings.join('\n')).toMatch(/COOKIE_SECURE=false in production/);
  });

  it('ALLOWED_HOSTS: loopback names in development, PUBLIC_URL host in production, else none (warned)', () => {
    expect(loadConfig({}).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    const prod = {
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db/folio',
      SESSION_SECRET: 'x'.repeat(40),
      DATA_ENCRYPTION_KEY: 'k'.repeat(40),
    };
    expect(loadConfig({ ...prod, PUBLIC_URL: 'https://Blog.Example.com' }).allowedHosts).toEqual(['blog.example.com']);
    const open = loadConfig(prod);
    expect(open.allowedHosts).toBeNull();
    expect(open.warnings.join('\n')).toMatch(/any Host header is accepted/);
    expect(loadConfig({ ALLOWED_HOSTS: 'a.example, B.example' }).allowedHosts).toEqual(['a.example', 'b.example']);
  });

  it('PUBLIC_URL defaults to localhost:PORT and is required in production with SMTP_URL', () => {
    expect(loadConfig({ PORT: '4000' }).publicUrl).toBe('http://localhost:4000');
    const problems = problemsOf({
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db/folio',
      SESSION_SECRET: 'x'.repeat(40),
      DATA_ENCRYPTION_KEY: 'k'.repeat(40),
      SMTP_URL: 'smtp://mail.example:587',
    });
    expect(problems).toEqual([expect.stringMatching(/^PUBLIC_URL is required in production when SMTP_URL is set/)]);
  });
});
