import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { postModel } from '../posts/post.model';
import { hashPassword } from '../security/passwords';
import { userModel } from '../users/user.model';

export const DEMO_USER = { username: 'alice', password: 'password123' } as const;

const WELCOME_POSTS = [
  {
    title: 'Welcome to Folio',
    body: `Folio is a small blog that takes sessions and cookies seriously.\n\nSign in as **${DEMO_USER.username}** (password \`${DEMO_USER.password}\`) or register your own account, then write a post. Everything you see is rendered on the server; the only cookie is the session cookie, and you get it only once you sign in or save something.`,
  },
  {
    title: 'What the session cookie holds',
    body: 'Only an id. The session itself — who you are, your reading list, your flash messages — lives in MongoDB, so any number of Folio processes can serve you, and signing out deletes it for good.\n\n- `HttpOnly`: scripts cannot read it\n- `SameSite=Lax`: other sites cannot post with it\n- a new id at every sign-in, so a planted id is worthless',
  },
];

/**
 * Development only (embedded MongoDB): an empty database gets the tutorial's user and two posts, so
 * `npm start` shows a living blog and the tutorial's login example works as written. Never in production,
 * which cannot run on the embedded database.
 */
export async function seedDemoContent(connection: Connection, bcryptCost: number, logger: Logger): Promise<void> {
  const users = userModel(connection);
  if (await users.exists({})) return;
  const alice = await users.create({
    username: DEMO_USER.username,
    passwordHash: await hashPassword(DEMO_USER.password, bcryptCost),
    // The first account on an empty database is the owner (src/roles/new-account.ts).
    role: 'owner',
  });
  const posts = postModel(connection);
  for (const post of WELCOME_POSTS) {
    await posts.create({ ...post, authorId: alice._id, authorName: alice.username });
  }
  logger.info(`demo content created: sign in as ${DEMO_USER.username} / ${DEMO_USER.password}`);
}
