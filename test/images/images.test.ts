import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_RECORDS_COLLECTION, IMAGES_BUCKET } from '../../src/images/image-store';
import { postModel } from '../../src/posts/post.model';
import { csrfTokenFrom } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';
import { bombPng, phonePhoto, smallImage } from './image-fixtures';

type Agent = ReturnType<typeof request.agent>;
let t: TestApp;
let owner: Agent;
let other: Agent;
let ownerToken: string;
let otherToken: string;

const tokenOf = async (agent: Agent) => csrfTokenFrom((await agent.get('/posts/new')).text);

beforeAll(async () => {
  t = await startTestApp();
  owner = request.agent(t.app);
  other = request.agent(t.app);
  await registerJson(owner, 'photographer');
  await registerJson(other, 'neighbour');
  ownerToken = await tokenOf(owner);
  otherToken = await tokenOf(other);
});
afterAll(() => t.close());

function upload(agent: Agent, bytes: Buffer, options: { filename?: string; type?: string; alt?: string } = {}) {
  return agent
    .post('/images')
    .set('Accept', 'application/json')
    .set('X-CSRF-Token', agent === owner ? ownerToken : otherToken)
    .field('alt', options.alt ?? 'A picture')
    .attach('image', bytes, { filename: options.filename ?? 'photo.jpg', contentType: options.type ?? 'image/jpeg' });
}

interface Uploaded {
  id: string;
  url: string;
  width: number;
  height: number;
  alt: string;
  markdown: string;
}

async function uploaded(agent: Agent, bytes: Buffer, alt = 'A picture'): Promise<Uploaded> {
  const res = await upload(agent, bytes, { alt });
  expect(res.status, res.text).toBe(201);
  return res.body.image as Uploaded;
}

async function publish(agent: Agent, body: string, extra: Record<string, string> = {}): Promise<string> {
  const token = await tokenOf(agent);
  const res = await agent
    .post('/posts')
    .type('form')
    .send({ title: 'With a picture', body, _csrf: token, ...extra });
  expect(res.status, res.text).toBe(303);
  return String(res.headers.location).split('/').pop() as string;
}

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

async function fetchBytes(agent: Agent | ReturnType<typeof request>, url: string) {
  return (agent as Agent).get(url).buffer(true).parse(binary);
}

describe('uploading', () => {
  it('answers 201 with the Markdown to insert; what is served is re-encoded: no EXIF, GPS or copyright, turned upright', async () => {
    const photo = await phonePhoto(2000, 1000);
    // The fixture really carries what must go: GPS, copyright, maker, orientation.
    const before = await sharp(photo).metadata();
    expect(before.orientation).toBe(6);
    expect(before.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(true); // the GPS IFD pointer tag
    expect(photo.includes('SECRET-COPYRIGHT-HOLDER')).toBe(true);

    const image = await uploaded(owner, photo, 'A [field] at dusk');
    expect(image.id).toMatch(/^[0-9a-f]{32}$/);
    expect(image.url).toBe(`/images/${image.id}`);
    expect(image.markdown).toBe(`![A \\[field\\] at dusk](/images/${image.id})`);
    // Orientation 6 applied: 2000 × 1000 as stored becomes 1000 × 2000 upright.
    expect([image.width, image.height]).toEqual([1000, 2000]);

    for (const path of [image.url, `${image.url}/480.webp`, `${image.url}/960.webp`]) {
      const res = await fetchBytes(owner, path);
      expect(res.status, path).toBe(200);
      const bytes = res.body as Buffer;
      const meta = await sharp(bytes).metadata();
      expect(meta.exif, path).toBeUndefined();
      expect(meta.xmp, path).toBeUndefined();
      expect(meta.icc, path).toBeUndefined();
      expect(meta.orientation ?? 1, path).toBe(1);
      expect(meta.height, path).toBeGreaterThan(meta.width ?? 0);
      for (const secret of ['SECRET-COPYRIGHT-HOLDER', 'PhoneMaker', 'Serial-XYZ-123', 'Exif']) {
        expect(bytes.includes(secret), `${path} contains ${secret}`).toBe(false);
      }
      expect(res.headers['content-type']).toBe(path.endsWith('.webp') ? 'image/webp' : 'image/jpeg');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    // No 1600 variant of a picture 1000 wide; no made-up names.
    expect((await owner.get(`${image.url}/1600.webp`)).status).toBe(404);
    expect((await owner.get(`${image.url}/evil.svg`)).status).toBe(404);
  });

  it.each([
    ['jpeg', 'image/jpeg'],
    ['png', 'image/png'],
    ['webp', 'image/webp'],
    ['gif', 'image/gif'],
    ['avif', 'image/avif'],
  ] as const)('takes %s, served in its own format', async (format, type) => {
    const image = await uploaded(owner, await smallImage(format, 70, 40));
    const res = await fetchBytes(owner, image.url);
    expect(res.headers['content-type']).toBe(type);
    expect((await sharp(res.body as Buffer).metadata()).width).toBe(70);
  });

  it('refuses by the bytes, whatever the name and type say: HTML as cat.png, SVG with a script, a PDF → 415', async () => {
    const html = Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>');
    const svg = Buffer.from(
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
    );
    const pdf = Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'.repeat(2),
    );
    for (const [bytes, filename, type] of [
      [html, 'cat.png', 'image/png'],
      [svg, 'logo.svg', 'image/svg+xml'],
      [svg, 'logo.png', 'image/png'],
      [pdf, 'scan.png', 'image/png'],
    ] as const) {
      const res = await upload(owner, bytes, { filename, type });
      expect(res.status, filename).toBe(415);
    }
    // A real PNG signature in front of something else: the decoder disagrees → 415 too.
    const polyglot = Buffer.concat([(await smallImage('png')).subarray(0, 16), html]);
    expect((await upload(owner, polyglot, { filename: 'x.png', type: 'image/png' })).status).toBe(415);
    expect(await t.connection.db?.collection(`${IMAGES_BUCKET}.files`).countDocuments({ filename: /svg|html/ })).toBe(
      0,
    );
  });

  it('a 100,000 × 100,000 PNG header → 422 at once, from the header: nothing decoded, memory flat', async () => {
    const bomb = bombPng();
    expect(bomb.length).toBeLessThan(200);
    await upload(owner, bomb, { filename: 'bomb.png', type: 'image/png' }); // warm up
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    for (let i = 0; i < 5; i++) {
      const res = await upload(owner, bomb, { filename: 'bomb.png', type: 'image/png' });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatch(/100000 × 100000 pixels; up to 40 megapixels/);
    }
    expect((performance.now() - started) / 5).toBeLessThan(500);
    // Decoding it would take 30 GB; the header costs nothing measurable.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 2 ** 20);
  });

  it('needs the session token (header or field before the file) and the same origin', async () => {
    const png = await smallImage('png');
    const bare = await owner
      .post('/images')
      .set('Accept', 'application/json')
      .attach('image', png, { filename: 'a.png', contentType: 'image/png' });
    expect(bare.status).toBe(403);
    const wrong = await owner
      .post('/images')
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', otherToken)
      .attach('image', png, { filename: 'a.png', contentType: 'image/png' });
    expect(wrong.status).toBe(403);
    const crossSite = await owner
      .post('/images')
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', ownerToken)
      .set('Origin', 'https://evil.example')
      .attach('image', png, { filename: 'a.png', contentType: 'image/png' });
    expect(crossSite.status).toBe(403);
    const field = await owner
      .post('/images')
      .set('Accept', 'application/json')
      .field('_csrf', ownerToken)
      .field('alt', 'green')
      .attach('image', png, { filename: 'a.png', contentType: 'image/png' });
    expect(field.status, field.text).toBe(201);
    const anonymous = await request(t.app)
      .post('/images')
      .set('Accept', 'application/json')
      .attach('image', png, { filename: 'a.png', contentType: 'image/png' });
    expect(anonymous.status).toBe(401);
  });
});

describe('serving', () => {
  it("a draft's picture is its owner's alone (private, no-store); once in a public post: anyone, immutable, ETag/304", async () => {
    const image = await uploaded(owner, await phonePhoto(1200, 900), 'Dunes');
    const draft = await publish(owner, `Look:\n\n${image.markdown}`, { status: 'draft' });

    const mine = await owner.get(image.url);
    expect(mine.status).toBe(200);
    expect(mine.headers['cache-control']).toBe('private, no-store');
    for (const agent of [request(t.app), other]) {
      expect((await agent.get(image.url)).status).toBe(404);
      expect((await agent.get(`${image.url}/480.webp`)).status).toBe(404);
    }

    // Publishing the post makes its pictures public.
    const token = await tokenOf(owner);
    const res = await owner
      .post(`/posts/${draft}`)
      .type('form')
      .send({ title: 'Now public', body: `Look:\n\n${image.markdown}`, status: 'published', _csrf: token });
    expect(res.status).toBe(303);
    const anon = await request(t.app).get(`${image.url}/480.webp`);
    expect(anon.status).toBe(200);
    expect(anon.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(anon.headers['x-content-type-options']).toBe('nosniff');
    expect(anon.headers['set-cookie']).toBeUndefined();
    const etag = anon.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]{43}"$/);
    const again = await request(t.app).get(`${image.url}/480.webp`).set('If-None-Match', etag);
    expect(again.status).toBe(304);
    // The owner, signed in, gets the same public answer.
    expect((await owner.get(image.url)).headers['cache-control']).toBe('public, max-age=31536000, immutable');

    // The post shows it with its size, lazily, with a srcset of the WebP widths.
    const page = (await request(t.app).get(`/posts/${draft}`)).text;
    const tag = /<img [^>]*>/.exec(page.slice(page.indexOf('post__body')))?.[0] ?? '';
    expect(tag).toContain(`src="${image.url}"`);
    expect(tag).toContain('alt="Dunes"');
    expect(tag).toContain('width="900"');
    expect(tag).toContain('height="1200"');
    expect(tag).toContain('loading="lazy"');
    expect(tag).toContain('decoding="async"');
    expect(tag).toContain(`srcset="${image.url}/480.webp 480w, ${image.url} 900w"`);
    expect(tag).toMatch(/sizes="[^"]+"/);
  });

  it("another author's public post cannot expose someone's draft picture", async () => {
    const image = await uploaded(owner, await smallImage('png', 30, 30), 'private');
    await publish(other, `Stolen: ![x](${image.url})`);
    expect((await request(t.app).get(image.url)).status).toBe(404);
  });

  it('a second app on the same database serves the picture (GridFS, not this process)', async () => {
    const image = await uploaded(owner, await smallImage('webp', 90, 60), 'shared');
    await publish(owner, image.markdown);
    const second = await startTestApp({ connection: t.connection });
    const res = await request(second.app).get(image.url).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect((await sharp(res.body as Buffer).metadata()).width).toBe(90);
  });
});

describe('deleting', () => {
  it('the owner deletes a picture and every variant (others 403, CSRF needed); it is gone everywhere', async () => {
    const image = await uploaded(owner, await phonePhoto(2000, 1000), 'to go');
    const files = t.connection.db?.collection(`${IMAGES_BUCKET}.files`);
    const chunks = t.connection.db?.collection(`${IMAGES_BUCKET}.chunks`);
    const stored = await files?.find({ 'metadata.imageId': image.id }).toArray();
    expect(stored?.map((f) => f.metadata?.variant).sort()).toEqual(['480.webp', '960.webp', 'original']);

    expect(
      (await other.post(`${image.url}/delete`).set('Accept', 'application/json').set('X-CSRF-Token', otherToken))
        .status,
    ).toBe(403);
    expect((await owner.post(`${image.url}/delete`).type('form').send({})).status).toBe(403);
    const res = await owner.post(`${image.url}/delete`).type('form').send({ _csrf: ownerToken });
    expect(res.status).toBe(303);
    expect(await files?.countDocuments({ 'metadata.imageId': image.id })).toBe(0);
    expect(await chunks?.countDocuments({ files_id: { $in: (stored ?? []).map((f) => f._id) } })).toBe(0);
    expect(await t.connection.db?.collection(IMAGE_RECORDS_COLLECTION).countDocuments({ _id: image.id as never })).toBe(
      0,
    );
    expect((await owner.get(image.url)).status).toBe(404);
    expect((await owner.get(`${image.url}/480.webp`)).status).toBe(404);
  });
});

describe('deleting, seen from another process', () => {
  it('a process that served a public picture stops within PAGE_CACHE_SECONDS of its delete elsewhere', async () => {
    const image = await uploaded(owner, await smallImage('png', 50, 50), 'short-lived');
    await publish(owner, image.markdown);
    const second = await startTestApp({ connection: t.connection, env: { PAGE_CACHE_SECONDS: '1' } });
    expect((await request(second.app).get(image.url)).status).toBe(200);
    const res = await owner
      .post(`${image.url}/delete`)
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', ownerToken);
    expect(res.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await request(second.app).get(image.url)).status).toBe(404);
  });
});

describe('posts', () => {
  it('a cover image must be one of the author’s pictures; it shows on the post and in the list', async () => {
    const mine = await uploaded(owner, await phonePhoto(1600, 1200), 'Cover shot');
    const theirs = await uploaded(other, await smallImage('png', 40, 40), 'not yours');
    const token = await tokenOf(owner);
    const refused = await owner
      .post('/posts')
      .type('form')
      .send({ title: 'Covered', body: 'Text', coverImage: theirs.url, _csrf: token });
    expect(refused.status).toBe(422);
    const id = await publish(owner, 'Text under a cover', { coverImage: mine.url });
    const post = await postModel(t.connection).findById(id).lean();
    expect(post?.coverImage).toBe(mine.id);
    const page = (await request(t.app).get(`/posts/${id}`)).text;
    expect(page).toMatch(new RegExp(`<img[^>]+src="${mine.url}"[^>]+alt="Cover shot"`));
    // og:image is absolute, from PUBLIC_URL (never from Host).
    expect(page).toContain(`<meta property="og:image" content="${t.config.publicUrl}${mine.url}">`);
    const listed = (await request(t.app).get('/posts')).text;
    expect(listed).toMatch(
      new RegExp(`class="cover-image cover-image--summary" src="${mine.url}"[^>]+width="1200" height="1600"`),
    );
    expect((await request(t.app).get(mine.url)).headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});
