import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_RECORDS_COLLECTION, IMAGE_USAGE_COLLECTION, IMAGES_BUCKET } from '../../src/images/image-store';
import { csrfTokenFrom } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';
import { phonePhoto, smallImage } from './image-fixtures';

type Agent = ReturnType<typeof request.agent>;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function uploadAs(agent: Agent, bytes: Buffer, alt: string) {
  const token = csrfTokenFrom((await agent.get('/posts/new')).text);
  const res = await agent
    .post('/images')
    .set('Accept', 'application/json')
    .set('X-CSRF-Token', token)
    .field('alt', alt)
    .attach('image', bytes, { filename: 'p', contentType: 'application/octet-stream' });
  expect(res.status, res.text).toBe(201);
  return res.body.image as { id: string; url: string };
}

/** Every document in the picture collections that names the user, by id or in a file's metadata. */
async function tracesOf(userId: string) {
  const db = t.connection.db;
  if (!db) throw new Error('not connected');
  const found: string[] = [];
  for (const name of [
    `${IMAGES_BUCKET}.files`,
    `${IMAGES_BUCKET}.chunks`,
    IMAGE_RECORDS_COLLECTION,
    IMAGE_USAGE_COLLECTION,
  ]) {
    const text = JSON.stringify(await db.collection(name).find().toArray());
    if (text.includes(userId)) found.push(name);
  }
  return found;
}

describe('personal data', () => {
  it('the export lists the pictures; the purge removes every one, every variant and every chunk', async () => {
    const leaving = request.agent(t.app);
    await registerJson(leaving, 'leaving-lee');
    const staying = request.agent(t.app);
    await registerJson(staying, 'staying-sam');
    const big = await uploadAs(leaving, await phonePhoto(2000, 1000), 'Harbour');
    await uploadAs(leaving, await smallImage('gif'), 'Tiny');
    const kept = await uploadAs(staying, await smallImage('png'), 'Stays');

    const exported = await leaving.get('/account/export').set('Accept', 'application/json');
    expect(exported.status, exported.text).toBe(200);
    const data = JSON.parse(exported.text) as { images: { url: string; alt: string; variants: unknown[] }[] };
    expect(data.images.map((i) => i.alt).sort()).toEqual(['Harbour', 'Tiny']);
    expect(data.images.find((i) => i.alt === 'Harbour')?.variants).toHaveLength(3);

    const users = t.connection.collection('users');
    const userId = String((await users.findOne({ username: 'leaving-lee' }))?._id);
    expect(await tracesOf(userId)).toEqual([
      `${IMAGES_BUCKET}.files`,
      IMAGE_RECORDS_COLLECTION,
      IMAGE_USAGE_COLLECTION,
    ]);
    const chunksBefore = await t.connection.collection(`${IMAGES_BUCKET}.chunks`).countDocuments();
    // Closed a while ago and due: the purge of account-deletion.ts runs.
    await users.updateOne(
      { username: 'leaving-lee' },
      { $set: { deletedAt: new Date(Date.now() - 86_400_000), purgeAfter: new Date(Date.now() - 1000) } },
    );
    expect(await t.services.deletion.purgeDue()).toBe(1);

    expect(await tracesOf(userId)).toEqual([]);
    const chunksAfter = await t.connection.collection(`${IMAGES_BUCKET}.chunks`).countDocuments();
    expect(chunksAfter).toBeLessThan(chunksBefore);
    // Chunks are named by file, not owner: none is left without its file.
    const fileIds = (await t.connection.collection(`${IMAGES_BUCKET}.files`).find().toArray()).map((f) =>
      String(f._id),
    );
    const orphans = (await t.connection.collection(`${IMAGES_BUCKET}.chunks`).find().toArray()).filter(
      (c) => !fileIds.includes(String(c.files_id)),
    );
    expect(orphans).toHaveLength(0);
    expect((await staying.get(big.url)).status).toBe(404);
    expect((await staying.get(kept.url)).status).toBe(200);
  });
});
