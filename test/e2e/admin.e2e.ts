/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginIn, PASSWORD, registerIn } from './accounts';
import { followMailLink, releaseBrowser, type ServedApp, serveTestApp, sharedBrowser } from './browser';
import { readmeShot } from './readme-shots';
import { openLook, publish, type Visit } from './ux-support';

/**
 * Running a blog with others, in Chromium: the owner invites an editor by mail (the development outbox), a
 * contributor's "publish" stays a draft until the editor publishes it, a reported comment is hidden by the
 * editor and its author sees it marked. Every page on the way, and every staff page at 320 and 1280 px, is
 * axe clean at every impact level and html-validate clean.
 */

let browser: Browser;
let t: ServedApp;
let baseUrl: string;
const visits: Visit[] = [];

beforeAll(async () => {
  [browser, t] = await Promise.all([sharedBrowser(), serveTestApp({ env: { PAGE_CACHE_SECONDS: '0' } })]);
  baseUrl = t.baseUrl;
});
afterAll(async () => {
  await Promise.all(visits.map((v) => v.context.close()));
  await releaseBrowser(browser);
  await t?.close();
});

async function visit(width: 320 | 1280): Promise<Visit> {
  const v = await openLook(browser, { width, scheme: 'light' });
  visits.push(v);
  return v;
}

describe('running a blog with others', () => {
  it('the owner invites an editor by mail; the editor publishes a contributor’s draft and hides a reported comment', async () => {
    const owner = await visit(1280);
    // The first account on the empty database: the owner (signed in, so in sudo mode for a while).
    await registerIn(owner.context, baseUrl, 'olivia');

    // New accounts become contributors.
    await owner.page.goto(`${baseUrl}/admin/settings`);
    await owner.check();
    await owner.page.getByLabel('Role of new accounts').selectOption('contributor');
    await owner.page.getByRole('button', { name: 'Save settings' }).click();
    await owner.page.waitForSelector('text=The settings are saved.');
    await owner.check('saved');

    // An invitation for an editor, by mail.
    await owner.page.goto(`${baseUrl}/admin/invites`);
    await owner.check();
    await owner.page.getByLabel('Their email address').fill('eddie@example.org');
    await owner.page.getByLabel('Role').selectOption('editor');
    await owner.page.getByRole('button', { name: 'Send the invitation' }).click();
    await owner.page.waitForSelector('text=An invitation is on its way');
    await owner.check('sent');

    const editor = await visit(1280);
    await followMailLink(editor.page, baseUrl, '/auth/invite/');
    await editor.check();
    expect(await editor.page.textContent('main')).toContain('You are invited to join as editor');
    await editor.page.getByLabel('Username').fill('eddie');
    await editor.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await editor.page.getByRole('button', { name: 'Create account' }).click();
    await editor.page.waitForURL(`${baseUrl}/posts`);
    const profile = await editor.context.request.get(`${baseUrl}/auth/profile`);
    expect(((await profile.json()) as { user: { role: string } }).user.role).toBe('editor');

    // A contributor writes and presses "Publish": kept as a draft, and told so.
    const contributor = await visit(1280);
    await registerIn(contributor.context, baseUrl, 'connie');
    await contributor.page.goto(`${baseUrl}/posts/new`);
    await contributor.page.getByLabel('Title').fill('A contributed story');
    await contributor.page.getByLabel('Body', { exact: true }).fill('Written by a contributor.');
    await contributor.page.getByRole('button', { name: 'Publish' }).click();
    await contributor.page.waitForSelector('text=Saved as a draft');
    await contributor.check('held as draft');
    const draftUrl = contributor.page.url();

    const anonymous = await browser.newContext();
    expect((await anonymous.request.get(draftUrl, { headers: { Accept: 'application/json' } })).status()).toBe(404);

    // The editor finds it in the staff area and publishes it.
    await editor.page.goto(`${baseUrl}/admin`);
    await editor.check();
    await editor.page.getByRole('link', { name: 'A contributed story' }).click();
    await editor.check('a draft, seen by an editor');
    await editor.page.getByRole('link', { name: 'Edit' }).click();
    await editor.check('edit form');
    await editor.page.getByRole('button', { name: 'Publish' }).click();
    await editor.page.waitForSelector('text=Your post is published');
    expect((await anonymous.request.get(draftUrl, { headers: { Accept: 'application/json' } })).status()).toBe(200);

    // A comment by the contributor, reported by the owner.
    const postId = await publish(owner.context, baseUrl, 'The owner’s post', 'Comments welcome.');
    const comment = await contributor.context.request.post(`${baseUrl}/posts/${postId}/comments`, {
      data: { body: 'Something rude' },
    });
    expect(comment.status()).toBe(201);
    await owner.page.goto(`${baseUrl}/posts/${postId}`);
    await owner.page.getByRole('link', { name: 'Report comment by connie' }).click();
    await owner.check('report form');
    await owner.page.getByLabel('What is wrong').fill('Rude to other readers');
    await owner.page.getByRole('button', { name: 'Send the report' }).click();
    await owner.page.waitForSelector('text=the editors will look at it');

    await editor.page.goto(`${baseUrl}/admin/reports`);
    await editor.check();
    expect(await editor.page.textContent('main')).toContain('Rude to other readers');
    await readmeShot(editor.page, 'admin-reports.png');
    await editor.page.getByRole('button', { name: 'Hide comment reported by olivia' }).click();
    await editor.page.waitForSelector('text=The comment is hidden.');
    await editor.check('hidden');

    // Gone for everyone else; its author still sees it, marked.
    await owner.page.goto(`${baseUrl}/posts/${postId}`);
    expect(await owner.page.textContent('main')).not.toContain('Something rude');
    await contributor.page.goto(`${baseUrl}/posts/${postId}`);
    await contributor.check('own hidden comment');
    expect(await contributor.page.textContent('main')).toContain('Hidden by a moderator');
    expect(await contributor.page.textContent('main')).toContain('Something rude');
    await anonymous.close();

    expect([...owner.problems, ...editor.problems, ...contributor.problems]).toEqual([]);
  });

  it.each([320, 1280] as const)(
    'every staff page at %i px: axe and html-validate clean, nothing wider than the screen',
    async (width) => {
      const v = await visit(width);
      await loginIn(v.context, baseUrl, 'olivia');
      for (const pathname of [
        '/admin',
        '/admin/reports',
        '/admin/users',
        '/admin/users/connie',
        '/admin/users/connie/suspend',
        '/admin/users/connie/sign-out',
        '/admin/settings',
        '/admin/invites',
        '/admin/log',
      ]) {
        await v.page.goto(`${baseUrl}${pathname}`);
        await v.check();
        // Controls are at least 44 px tall, as in the account area (links inside sentences are exempt).
        const small = await v.page.evaluate(() =>
          Array.from(
            document.querySelectorAll(
              'main button, main select, main input:not([type="hidden"]), main .button, main .account-nav__link',
            ),
          )
            .filter((el) => (el as HTMLElement).offsetParent !== null)
            .map((el) => ({
              text: el.textContent?.trim() || el.getAttribute('name') || '',
              height: el.getBoundingClientRect().height,
            }))
            .filter((target) => target.height < 44),
        );
        expect(small, pathname).toEqual([]);
      }
      if (width === 1280) await readmeShot(v.page, 'admin-log.png');
      expect(v.problems).toEqual([]);
    },
  );
});
