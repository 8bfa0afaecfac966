import { type RequestHandler, Router } from 'express';
import type { Connection } from 'mongoose';
import type { Config } from '../config';
import { ForbiddenError, NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { respond } from '../http/respond';
import { publicRoute } from '../http/route-access';
import type { PostModel } from '../posts/post.model';
import type { PostImages } from '../posts/post-images';
import { isAuthenticated } from '../security/is-authenticated';
import { ImageStore } from './image-store';
import { layoutOf } from './image-urls';
import { ImageServer } from './images.serve';
import { uploadImage } from './images.upload';
import { Semaphore } from './semaphore';

export interface ImagesDeps {
  readonly config: Config;
  readonly connection: Connection;
  readonly posts: PostModel;
  readonly now: () => number;
  /** Who may upload: signed in, with a role that may write posts (contributor and up, src/roles). */
  readonly uploaders: readonly RequestHandler[];
}

/** Uploads received at once (each may hold IMAGE_MAX_MB in memory while it arrives); more → 503. */
const RECEIVING_AT_ONCE = 8;
/**
 * Pictures decoded and encoded at once, and how many may wait for a turn. Each decode of a 40-megapixel
 * picture may hold ~160 MB of pixels: two at a time keeps a burst of uploads within a few hundred MB, and
 * leaves libuv's other threads (DNS, file system, bcrypt) free.
 */
const PROCESSING_AT_ONCE = 2;
const PROCESSING_QUEUE = RECEIVING_AT_ONCE;

/**
 * Pictures: POST /images, GET /images/:id[/<width>.webp], POST /images/:id/delete (see CONTRACT.md, "Images").
 * Three routers, because they sit at three places in the app's middleware order (app.ts):
 * `serving` before the session (public pictures cost no session read), `upload` before the CSRF middleware
 * (which cannot read multipart; the upload checks the token itself), `routes` with the other pages.
 */
export function imagesFeature(deps: ImagesDeps) {
  const { config, connection, posts, now } = deps;
  const store = new ImageStore(connection, now);
  const server = new ImageServer({ store, posts, now, recheckMs: config.pageCacheSeconds * 1000 });
  const upload = uploadImage({
    store,
    maxBytes: config.images.maxBytes,
    quotaBytes: config.images.quotaBytes,
    receiving: new Semaphore(RECEIVING_AT_ONCE, 0),
    processing: new Semaphore(PROCESSING_AT_ONCE, PROCESSING_QUEUE),
  });

  const destroy: RequestHandler = async (req, res) => {
    const record = await store.find(String(req.params.id));
    if (!record) throw new NotFoundError('No such picture');
    if (String(record.ownerId) !== req.session.user?.id)
      throw new ForbiddenError('Only its owner can delete a picture');
    const removed = await store.remove(record);
    server.forget(record);
    if (!removed) throw new NotFoundError('This picture has already been deleted');
    req.log.info({ event: 'image_deleted', imageId: record._id, userId: req.session.user?.id }, 'image deleted');
    respond(req, res, {
      json: () => ({ message: 'Deleted' }),
      html: () => {
        flash(req, 'success', 'The picture has been deleted.');
        res.redirect(303, '/drafts');
      },
    });
  };

  // `serving` and `upload` are mounted at /images (app.ts): every other request passes them by with one
  // prefix test instead of entering two routers before its own.
  const serving = Router();
  serving.get('/:id', [publicRoute], server.early());
  serving.get('/:id/:variant', [publicRoute], server.early());

  const uploads = Router();
  uploads.post('/', [...deps.uploaders], upload);

  const routes = Router();
  routes.get('/images/:id', [publicRoute], server.late());
  routes.get('/images/:id/:variant', [publicRoute], server.late());
  routes.post('/images/:id/delete', [isAuthenticated], destroy);

  const forPosts: PostImages = {
    layouts: async (ownerId, ids) =>
      new Map((await store.findOwned(ownerId, ids)).map((r) => [r._id, { ...layoutOf(r), alt: r.alt }])),
  };

  return { store, server, serving, upload: uploads, routes, forPosts };
}
