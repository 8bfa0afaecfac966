import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('the reading list shows only what readers may see', () => {
  it('a draft cannot be saved, and a saved post that goes back to draft is not listed (its title stays hidden)', async () => {
    const author = request.agent(t.app);
    await registerJson(author, 'drafter');
    const draft = await author.post('/posts').send({ title: 'Secret draft title', body: 'Not yet.', status: 'draft' });
    const draftId = String(draft.body.post.id);
    const reader = request.agent(t.app);
    expect((await reader.post(`/reading-list/${draftId}`).send({})).status).toBe(404);

    const published = await author.post('/posts').send({ title: 'Soon unpublished', body: 'Read me.' });
    const id = String(published.body.post.id);
    expect((await reader.post(`/reading-list/${id}`).send({})).status).toBe(200);
    await postModel(t.connection).updateOne({ _id: id }, { status: 'draft' });
    const list = await reader.get('/reading-list').set('Accept', 'application/json');
    expect(list.body.readingList).toEqual([]);
    expect((await reader.get('/reading-list')).text).not.toContain('Soon unpublished');
    // Published again, it is back: hidden is not forgotten.
    await postModel(t.connection).updateOne({ _id: id }, { status: 'published' });
    const again = await reader.get('/reading-list').set('Accept', 'application/json');
    expect(again.body.readingList.map((p: { id: string }) => p.id)).toEqual([id]);
  });
});
