import path from 'node:path';
import { MongoStore } from 'connect-mongo';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import mongoose from 'mongoose';
import { CommandLog, withCommandMonitoring } from '../mongo-commands';
import { BENCH_DB_ENV } from '../protocol';
import { runUnderBench } from '../under-bench';
import {
  NEWEST_FIRST,
  pageOf,
  publishedFilter,
  REFERENCE_PAGE_SIZE,
  REFERENCE_SESSIONS_COLLECTION,
  REFERENCE_USER,
  REFERENCE_USERS_COLLECTION,
} from './reference';

/**
 * Reference point "tutorial": the blog of /work/shared/seed/session-cookie-management.md ("Building a
 * Session-Based Authentication System", with its "Use External Stores for Scale" MongoStore), as written
 * there — express, express-session (resave false, saveUninitialized false, a one-day cookie), connect-mongo,
 * mongoose models, the login that sets `req.session.user`, the `isAuthenticated` session check and an EJS
 * page that shows the user. It is the baseline Folio is measured against, so it is NOT optimised: full
 * hydrated documents, the store's default touch on every view. Only what "equal work" needs is changed: the
 * list is Folio's (published posts, newest first, 10 a page, on Folio's index) instead of every post; the
 * users and sessions live in collections of their own; the store shares mongoose's client so its commands
 * are counted.
 */

/**
 * The tutorial's `req.session.user`. Folio declares a richer `user` on express-session's SessionData for the
 * whole TypeScript project, so this app reads its session through its own narrower type.
 */
type TutorialSession = { user?: { id: string; username: string } };
const sessionOf = (req: Request) => req.session as unknown as TutorialSession;

runUnderBench(async () => {
  const uri = process.env.MONGODB_URI;
  const dbName = process.env[BENCH_DB_ENV];
  if (!uri || !dbName) throw new Error(`MONGODB_URI and ${BENCH_DB_ENV} are required`);
  const connection = await mongoose.createConnection(withCommandMonitoring(uri), { dbName }).asPromise();
  const commands = new CommandLog(connection.getClient(), { keep: false });

  // models/user.js (plain-text password, as the tutorial has it), models/post.js (the fields seeded by Folio).
  const User = connection.model(
    'User',
    new mongoose.Schema({ username: { type: String, required: true, unique: true }, password: String }),
    REFERENCE_USERS_COLLECTION,
  );
  const Post = connection.model(
    'Post',
    new mongoose.Schema({
      title: String,
      body: String,
      authorName: String,
      excerpt: String,
      tags: [String],
      status: String,
      publishedAt: Date,
      createdAt: Date,
    }),
    'posts',
  );
  await User.updateOne(
    { username: REFERENCE_USER.username },
    { $set: { password: REFERENCE_USER.password } },
    { upsert: true },
  );

  const app = express();
  app.set('view engine', 'ejs');
  app.set('views', path.join(__dirname, 'views'));
  app.use(express.urlencoded({ extended: true }));
  app.use(
    session({
      secret: 'secret-key',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 1000 * 60 * 60 * 24 },
      store: MongoStore.create({
        client: connection.getClient(),
        dbName,
        collectionName: REFERENCE_SESSIONS_COLLECTION,
      }),
    }),
  );

  // routes/auth.js
  const auth = express.Router();
  auth.post('/login', async (req, res, next) => {
    try {
      const { username, password } = req.body as { username?: string; password?: string };
      const user = await User.findOne({ username });
      if (user && user.password === password) {
        sessionOf(req).user = { id: String(user._id), username: user.username };
        return res.redirect('/posts');
      }
      res.status(401).send('Invalid credentials');
    } catch (err) {
      next(err);
    }
  });

  // routes/posts.js
  const isAuthenticated = (req: Request, res: Response, next: NextFunction) => {
    if (!sessionOf(req).user) {
      return res.redirect('/auth/login');
    }
    next();
  };
  const posts = express.Router();
  posts.get('/', isAuthenticated, async (req, res, next) => {
    try {
      const page = pageOf(req.query.page);
      const list = await Post.find(publishedFilter(new Date()))
        .sort(NEWEST_FIRST)
        .skip((page - 1) * REFERENCE_PAGE_SIZE)
        .limit(REFERENCE_PAGE_SIZE);
      res.render('posts', { posts: list, page, pageSize: REFERENCE_PAGE_SIZE, user: sessionOf(req).user });
    } catch (err) {
      next(err);
    }
  });

  app.use('/auth', auth);
  app.use('/posts', posts);
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).send(String(err));
  });

  return {
    handler: app,
    commands,
    sessionsCollection: REFERENCE_SESSIONS_COLLECTION,
    // Folio's bench server drops the shared database; this app only lets go of it.
    close: () => connection.close(),
  };
});
