import { type RequestHandler, Router } from 'express';
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Clock } from '../clock';
import { HttpError } from '../http/errors';
import { respond } from '../http/respond';
import { parseForm } from '../http/validate';
import type { RateLimit, RateLimitOptions } from '../security/rate-limit';
import { formatClockIn, zoneOrUtc } from '../time/time-zone';
import { renderMarkdown } from './markdown';
import { BODY_MAX, type PostModel, renderedFields, TITLE_MAX } from './post.model';
import { parseTags } from './tags';

/**
 * The editor's helpers (public/js/editor.js): a Preview rendered by the very renderer a saved post goes
 * through (so what is previewed is what is published), and autosave of drafts while the writer types.
 * Both are form posts with the page's CSRF token, like the form itself; both answer JSON or an HTML fragment.
 */
export interface WritingDeps {
  readonly posts: PostModel;
  readonly now: Clock;
  readonly rateLimit: RateLimit;
  /** Who may write posts (signed in, and a role that may create one): a reader gets no drafts this way either. */
  readonly writers: readonly RequestHandler[];
}

/** Autosave runs every few seconds of typing: far more than a person's presses, still bounded. */
export const AUTOSAVE_LIMIT: RateLimitOptions = { key: 'autosave', points: 600, duration: 60 * 60 };
export const AUTOSAVE_KEYS_COLLECTION = 'autosave_keys';
const UNTITLED = 'Untitled draft';

const previewSchema = z.object({
  body: z
    .string({ error: 'Write something' })
    .max(BODY_MAX, `Keep the post to ${BODY_MAX.toLocaleString('en')} characters`),
});

const autosaveSchema = z.object({
  title: z.string().trim().max(TITLE_MAX, `Keep the title to ${TITLE_MAX} characters`).optional().default(''),
  body: z
    .string()
    .max(BODY_MAX, `Keep the post to ${BODY_MAX.toLocaleString('en')} characters`)
    .optional()
    .default(''),
  tags: z.string().max(400).optional().default(''),
  // A key the new-post page makes once (views/posts/new.ejs): every save of that page is the same draft.
  draftKey: z
    .string()
    .regex(/^[A-Za-z0-9-]{16,64}$/, 'Reload the page')
    .optional(),
  // The edit page of a draft names it.
  id: z
    .string()
    .regex(/^[a-f0-9]{24}$/i, 'No such draft')
    .optional(),
});

interface AutosaveKey {
  _id: string;
  postId: Types.ObjectId;
  createdAt: Date;
}

export function writingRoutes({ posts, now, rateLimit, writers }: WritingDeps): Router {
  const router = Router();

  const preview: RequestHandler = (req, res) => {
    const input = parseForm(previewSchema, req.body, { view: 'posts/new', locals: { title: 'New post' } });
    const html = renderMarkdown(input.body);
    respond(req, res, {
      json: () => ({ html }),
      // A fragment, never a page: the editor puts it in its Preview panel.
      html: () => res.type('html').send(html),
    });
  };

  /**
   * Saves the form as a draft. The first save of a new-post page creates the draft, and however many saves of
   * that page are in flight together, there is one draft: the page's key is claimed atomically (an upsert on
   * its _id), which fixes the post's id before any post is written, and the post is then upserted by that id.
   * A post that is no longer a draft (published meanwhile) is never changed by autosave: 409.
   */
  const autosave: RequestHandler = async (req, res) => {
    const user = req.session.user;
    if (!user) throw new Error('isAuthenticated must run before autosave');
    const input = parseForm(autosaveSchema, req.body, { view: 'posts/new', locals: { title: 'New post' } });
    if (!input.title && !input.body.trim()) {
      res.status(422).json({ error: 'Nothing to save yet' });
      return;
    }
    const at = new Date(now());
    let postId: Types.ObjectId;
    if (input.id) {
      postId = new Types.ObjectId(input.id);
    } else if (input.draftKey) {
      const keys = posts.db.collection<AutosaveKey>(AUTOSAVE_KEYS_COLLECTION);
      const claimed = await keys.findOneAndUpdate(
        { _id: `${user.id}:${input.draftKey}` },
        { $setOnInsert: { postId: new Types.ObjectId(), createdAt: at } },
        { upsert: true, returnDocument: 'after' },
      );
      if (!claimed) throw new Error('upsert returned nothing');
      postId = claimed.postId;
    } else {
      res.status(422).json({ error: 'Reload the page' });
      return;
    }
    const tags = parseTags(input.tags);
    const fields = {
      title: input.title || UNTITLED,
      body: input.body,
      ...(tags.ok ? { tags: tags.tags } : {}),
      ...renderedFields(input.body),
    };
    let saved: { _id: unknown } | null;
    try {
      saved = await posts
        .findOneAndUpdate(
          { _id: postId, authorId: user.id, status: 'draft' },
          {
            $set: fields,
            $setOnInsert: { authorId: user.id, authorName: user.username, status: 'draft' },
          },
          // The edit page's draft must exist already; a new page's draft is made by its first save.
          { upsert: !input.id, returnDocument: 'after', projection: { _id: 1 } },
        )
        .lean();
    } catch (err) {
      // The id exists but is not this author's draft any more (published, or someone else's): never touched.
      if (typeof err === 'object' && err !== null && 'code' in err && err.code === 11000) saved = null;
      else throw err;
    }
    if (!saved) throw new HttpError(409, 'This post is no longer a draft: use the form’s buttons to save it');
    const zone = zoneOrUtc(user.timeZone);
    res.json({
      draft: {
        id: String(saved._id),
        savedAt: at.toISOString(),
        // "Saved 10:42": the clock in the writer's zone, as every other time they see.
        label: `Saved ${formatClockIn(at, zone).replace(/ \S+$/, '')}`,
        editUrl: `/posts/${String(saved._id)}/edit`,
        action: `/posts/${String(saved._id)}`,
      },
    });
  };

  router.post('/preview', [...writers], preview);
  router.post('/autosave', [...writers, rateLimit(AUTOSAVE_LIMIT)], autosave);
  return router;
}
