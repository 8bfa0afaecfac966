import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import { NEW_ACCOUNT_ROLES } from '../users/roles';

export const SITE_SETTINGS_COLLECTION = 'site_settings';
export const REGISTRATION_MODES = ['open', 'invite', 'closed'] as const;
export const COMMENT_MODES = ['open', 'first-held', 'off'] as const;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const line = (max: number, label: string) =>
  z
    .string({ error: `Enter the ${label}` })
    .transform((s) => s.replace(CONTROL, '').replace(/\s+/g, ' ').trim())
    .pipe(z.string().min(1, `Enter the ${label}`).max(max, `Keep the ${label} to ${max} characters`));

/** The settings form, also what a stored document must satisfy. */
export const settingsSchema = z.object({
  siteTitle: line(80, 'site title'),
  siteDescription: line(300, 'site description'),
  registration: z.enum(REGISTRATION_MODES, { error: 'Choose how people join' }),
  newAccountRole: z.enum(NEW_ACCOUNT_ROLES, { error: 'Choose the role of new accounts' }),
  comments: z.enum(COMMENT_MODES, { error: 'Choose how comments work' }),
});

export type Settings = z.output<typeof settingsSchema>;

/** A new site: the tutorial's blog, where whoever registers may post and comment. */
export const DEFAULT_SETTINGS: Settings = Object.freeze({
  siteTitle: 'Folio',
  siteDescription: 'A small blog that does sessions and cookies right.',
  registration: 'open',
  newAccountRole: 'author',
  comments: 'open',
});

interface SettingsDocument extends Partial<Settings> {
  _id: string;
  updatedAt?: Date;
}

const ID = 'site';

/**
 * The site's settings: one document in MongoDB, so every process uses the same ones.
 * - `cached()` is for the hot path (the title in every page's header, the feeds): no query per request.
 *   It is loaded on the first request, replaced at once by a write in this process, and refreshed every few
 *   seconds by `startRefresh` (server.ts) for writes made by other processes.
 * - `fresh()` reads MongoDB: for the write routes whose outcome depends on a setting (registration,
 *   new accounts' role, comments), so a change made on another process applies at once.
 */
export class SiteSettings {
  private current: Settings | undefined;

  constructor(private readonly connection: Connection) {}

  private get collection(): mongo.Collection<SettingsDocument> {
    return this.connection.collection<SettingsDocument>(SITE_SETTINGS_COLLECTION);
  }

  /** Stored values over the defaults; a stored value that no longer validates falls back to its default. */
  private merge(doc: SettingsDocument | null): Settings {
    const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
      const value = doc?.[key];
      if (value === undefined) continue;
      const field = settingsSchema.shape[key].safeParse(value);
      if (field.success) merged[key] = field.data;
    }
    return Object.freeze(merged as Settings);
  }

  async fresh(): Promise<Settings> {
    this.current = this.merge(await this.collection.findOne({ _id: ID }));
    return this.current;
  }

  /** The last known settings; loads them once if this process has none yet. */
  async cached(): Promise<Settings> {
    return this.current ?? this.fresh();
  }

  /** Only after `cached()` or `fresh()` resolved once (the middleware guarantees it for views). */
  known(): Settings {
    return this.current ?? DEFAULT_SETTINGS;
  }

  async save(settings: Settings, at: Date): Promise<Settings> {
    const parsed = settingsSchema.parse(settings);
    await this.collection.updateOne({ _id: ID }, { $set: { ...parsed, updatedAt: at } }, { upsert: true });
    this.current = Object.freeze({ ...parsed });
    return this.current;
  }

  /** Re-reads the settings every `everyMs` (other processes' writes); unref'd, returns a stop function. */
  startRefresh(everyMs: number, onError: (err: unknown) => void): () => void {
    const timer = setInterval(() => void this.fresh().catch(onError), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
