import { type PersonalDataRegistry, prepareAll } from './personal-data';

/**
 * Creates every collection and index the app relies on before it serves traffic, by running each registered
 * feature's prepare() in order (src/db/personal-data.ts; the list is in src/services.ts):
 * - unique usernames and the posts sort key exist from the first request (a lazily built unique index can
 *   let a duplicate through on a fresh database);
 * - collections are never created implicitly by concurrent first writes (see ensureCollection).
 */
export async function prepareDatabase(registry: PersonalDataRegistry): Promise<void> {
  await prepareAll(registry);
}
