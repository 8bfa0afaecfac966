/**
 * The personal-data registry: every feature that stores something about a user says, in its own folder, how
 * to prepare its collections, how to forget a user and what a user's export shows. The composition root
 * (src/services.ts) lists the entries; the start-up preparation, the account purge and the data export loop
 * over that list, so none of them knows any feature's collections or key formats — and a new feature that
 * stores user data is purged and exported once it registers.
 */

export interface UserRef {
  readonly id: string;
  readonly username: string;
  readonly email?: string | null;
}

export interface PersonalData {
  readonly name: string; // the export's key, e.g. 'images'
  prepare?(): Promise<void>; // indexes; idempotent, run at start
  forgetUser?(user: UserRef): Promise<void>; // purge everything stored about the user
  exportUser?(user: UserRef): Promise<unknown>; // what the export shows; nothing secret
}

/**
 * Entries are listed in dependency order, the account first: preparing runs in that order, exporting too
 * (the export's keys come out in it), and forgetting runs backwards, so whatever an entry needs to find a
 * user's data (the user's live sessions, the account itself) is still there when it runs, and the account
 * goes last. Each step is idempotent: a purge cut short is finished by running it again.
 */
export type PersonalDataRegistry = readonly PersonalData[];

export async function prepareAll(registry: PersonalDataRegistry): Promise<void> {
  for (const entry of registry) await entry.prepare?.();
}

export async function forgetEverywhere(registry: PersonalDataRegistry, user: UserRef): Promise<void> {
  for (const entry of [...registry].reverse()) await entry.forgetUser?.(user);
}

/** `{ [entry.name]: what it exports }`, in registry order; entries without an export are left out. */
export async function exportEverything(
  registry: PersonalDataRegistry,
  user: UserRef,
): Promise<Record<string, unknown>> {
  const exporting = registry.filter((entry) => entry.exportUser);
  const parts = await Promise.all(exporting.map((entry) => entry.exportUser?.(user)));
  return Object.fromEntries(exporting.map((entry, i) => [entry.name, parts[i]]));
}
