import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffPersonalData } from '../../src/admin/personal-data';
import { userModel } from '../../src/users/user.model';
import { type Agent, staffAgent } from '../roles/staff-support';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

let t: TestApp;
let owner: Agent;
let reader: Agent;

beforeAll(async () => {
  t = await startTestApp();
  owner = request.agent(t.app);
  await registerJson(owner, 'keeper');
  reader = await staffAgent(t, 'watcher', 'reader');
  const post = await owner.post('/posts').send({ title: 'Post', body: 'Body' });
  await reader.post(`/posts/${post.body.post.id}/report`).send({ reason: 'I object' });
  await owner.post('/admin/invites').send({ email: 'friend@example.com', role: 'editor' });
  await owner.post('/admin/users/watcher/sign-out').send({});
});
afterAll(() => t.close());

async function ref(username: string) {
  const u = await userModel(t.connection).findOne({ username }).lean();
  return { id: String(u?._id), username, email: u?.email ?? null };
}

describe('personal data of the staff features', () => {
  it('exports what each holds about a user, without tokens, and forgets it', async () => {
    const [reports, invitations, adminLog] = staffPersonalData(t.connection, Date.now);
    if (!reports?.exportUser || !invitations?.exportUser || !adminLog?.exportUser) throw new Error('no export');
    await Promise.all([reports, invitations, adminLog].map((p) => p.prepare?.()));
    const watcher = await ref('watcher');
    const keeper = await ref('keeper');

    expect(await reports.exportUser(watcher)).toEqual([
      expect.objectContaining({ kind: 'post', reason: 'I object', reporter: 'watcher' }),
    ]);
    const sent = (await invitations.exportUser(keeper)) as Record<string, unknown>[];
    expect(sent).toEqual([
      expect.objectContaining({ email: 'friend@example.com', role: 'editor', invitedBy: 'keeper' }),
    ]);
    expect(JSON.stringify(sent)).not.toMatch(/tokenHash/);
    expect(await adminLog.exportUser(watcher)).toEqual([
      expect.objectContaining({ action: 'signed_out', target: 'watcher', actor: 'keeper' }),
    ]);

    await reports.forgetUser?.(watcher);
    await adminLog.forgetUser?.(watcher);
    await invitations.forgetUser?.(keeper);
    expect(await reports.exportUser(watcher)).toEqual([]);
    expect(await adminLog.exportUser(watcher)).toEqual([]);
    expect(await invitations.exportUser(keeper)).toEqual([]);
    expect(await t.connection.collection('invitations').countDocuments()).toBe(0);
  });
});
