import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail as the SMTP server received it, parsed by mailparser. */
export interface ReceivedMail {
  readonly to: string[];
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The message's MIME content types (multipart/alternative with text/plain and text/html). */
  readonly parsed: ParsedMail;
  readonly raw: string;
}

export interface TestSmtpServer {
  /** `smtp://…@127.0.0.1:<port>`: what SMTP_URL is set to. */
  readonly url: string;
  readonly mails: ReceivedMail[];
  /** Refuse the next `n` messages with a temporary failure (451), as a server in trouble would. */
  failNext(n: number): void;
  /** Hold every message this long before accepting it (a slow server); 0 to stop. */
  delay(ms: number): void;
  /** Hold every message from now on until the returned function is called (a server that hangs, without sleeping). */
  hold(): () => void;
  /** Messages refused so far. */
  readonly refused: number;
  /** Resolves with the first received mail matching `match` (waiting for it, up to `timeoutMs`). */
  waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * A real SMTP server in the test process (nodemailer's smtp-server), listening on 127.0.0.1 on a random port.
 * It offers no STARTTLS (there is no certificate), so nodemailer speaks plain SMTP to it, and it accepts
 * the test credentials without TLS — allowed for this loopback test server only.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let toFail = 0;
  let delayMs = 0;
  let gate: Promise<void> = Promise.resolve();
  let refused = 0;
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'folio' && auth.password === 'test') callback(null, { user: 'folio' });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      if (toFail > 0) {
        toFail--;
        refused++;
        stream.resume();
        stream.on('end', () => {
          const err = new Error('Try again later') as Error & { responseCode: number };
          err.responseCode = 451;
          callback(err);
        });
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        await gate;
        simpleParser(raw)
          .then((parsed) => {
            mails.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              parsed,
              raw: raw.toString('utf8'),
            });
            for (const wake of waiters) wake();
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://folio:test@127.0.0.1:${port}`,
    mails,
    failNext(n) {
      toFail = n;
    },
    delay(ms) {
      delayMs = ms;
    },
    hold() {
      let release = () => {};
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return release;
    },
    get refused() {
      return refused;
    },
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = mails.find(match);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(found);
          return true;
        };
        const wake = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no matching mail within ${timeoutMs} ms (received ${mails.length})`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a mail's text that starts with `prefix`. */
export function linkIn(text: string, prefix: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}[^\\s<>"]*`).exec(text);
  if (!match) throw new Error(`no link starting with ${prefix} in:\n${text}`);
  return match[0];
}
