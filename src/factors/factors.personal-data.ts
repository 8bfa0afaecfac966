import type { Connection } from 'mongoose';
import type { PersonalData } from '../db/personal-data';
import { type FactorStore, prepareFactors } from './factors.store';

/**
 * Passkeys and authenticator codes. The export says how the account signs in, without what proves it: no
 * public key or credential id, no TOTP secret, no recovery code or its hash.
 */
export function factorsPersonalData(connection: Connection, factors: FactorStore): PersonalData {
  return {
    name: 'signIn',
    prepare: () => prepareFactors(connection),
    forgetUser: (user) => factors.removeAllOf(user.id),
    async exportUser(user) {
      const [passkeys, twoFactor] = await Promise.all([factors.listPasskeys(user.id), factors.twoFactorOf(user.id)]);
      return {
        passkeys: passkeys.map((p) => ({
          name: p.name,
          synced: p.deviceType === 'multiDevice',
          createdAt: p.createdAt,
          lastUsedAt: p.lastUsedAt,
        })),
        authenticatorCodes: twoFactor
          ? {
              enabledAt: twoFactor.enabledAt,
              recoveryCodesLeft: twoFactor.recoveryCodes.filter((c) => c.usedAt === null).length,
            }
          : null,
      };
    },
  };
}
