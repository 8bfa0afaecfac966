import type { Config } from '../config';
import { publicLink } from '../http/links';
import type { Mailer } from '../mail/mailer';
import { describeDuration } from '../mail/templates';
import { type AccountTokens, credentialsVersionOf } from '../users/account-tokens';

/**
 * Issues a password-reset link (voiding older ones) and mails it to the user's address: "forgot password"
 * and "this wasn't me" both end here. The caller has checked that the address is confirmed.
 */
export async function mailResetLink(
  deps: { readonly config: Config; readonly tokens: AccountTokens; readonly mailer: Mailer },
  user: {
    readonly _id: unknown;
    readonly username: string;
    readonly email: string;
    readonly credentialsVersion?: number | null;
  },
): Promise<void> {
  const { config, tokens, mailer } = deps;
  const token = await tokens.issue({
    kind: 'reset',
    userId: String(user._id),
    email: user.email,
    credentialsVersion: credentialsVersionOf(user),
    ttlMs: config.tokens.resetMs,
  });
  mailer.send({
    to: user.email,
    template: 'reset-password',
    data: {
      username: user.username,
      link: publicLink(config.publicUrl, `/auth/reset/${token}`),
      expiresIn: describeDuration(config.tokens.resetMs),
      forgotUrl: publicLink(config.publicUrl, '/auth/forgot'),
    },
  });
}
