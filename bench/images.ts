import sharp from 'sharp';
import type { ServerProcess } from './server-process';

/**
 * The image part of `npm run bench` (issue 23): a picture seeded into a public post, so the table can measure
 * a cached variant against /healthz, and the upload of a 12-megapixel JPEG — its time, the server's peak RSS,
 * and how /healthz answers meanwhile (sharp works on libuv's threads, never on the event loop).
 */

const WIDTH = 4000;
const HEIGHT = 3000;
/** /healthz while an upload is processed: answered within this, or the event loop was blocked. */
export const HEALTHZ_DURING_UPLOAD_MS = 100;
const PROBE_EVERY_MS = 20;

/**
 * A photo-like 12-megapixel JPEG: smooth gradients with fine grain (a flat colour would compress to nothing
 * and decode unrealistically fast). `seed` changes the grain, so two uploads are never the same picture
 * (pictures are content-addressed: the same bytes twice are stored once).
 */
export async function photoJpeg(seed: number, width = WIDTH, height = HEIGHT): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let state = (seed * 2_654_435_761) >>> 0 || 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // xorshift32: cheap, deterministic grain
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      const grain = (state & 31) - 16;
      const i = (y * width + x) * 3;
      raw[i] = Math.max(0, Math.min(255, ((x * 255) / width + grain) | 0));
      raw[i + 1] = Math.max(0, Math.min(255, ((y * 255) / height + grain) | 0));
      raw[i + 2] = Math.max(0, Math.min(255, (128 + 100 * Math.sin((x + y) / 97) + grain) | 0));
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 88 })
    .toBuffer();
}

async function csrfToken(baseUrl: string, cookie: string): Promise<string> {
  const page = await (await fetch(`${baseUrl}/posts/new`, { headers: { cookie, accept: 'text/html' } })).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error('no CSRF token on /posts/new');
  return token;
}

async function upload(baseUrl: string, cookie: string, token: string, jpeg: Buffer, alt: string) {
  const form = new FormData();
  form.append('alt', alt);
  form.append('image', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'photo.jpg');
  const res = await fetch(`${baseUrl}/images`, {
    method: 'POST',
    headers: { cookie, accept: 'application/json', 'x-csrf-token': token },
    body: form,
  });
  const body = (await res.json()) as { image?: { url: string; markdown: string }; error?: string };
  return { status: res.status, body };
}

/** Uploads a 2000 × 1500 picture and publishes a post showing it; returns its path (`/images/<id>`). */
export async function seedImage(baseUrl: string, cookie: string): Promise<string> {
  const token = await csrfToken(baseUrl, cookie);
  const { status, body } = await upload(baseUrl, cookie, token, await photoJpeg(1, 2000, 1500), 'A benchmark photo');
  if (status !== 201 || !body.image) throw new Error(`seed image: ${status} ${body.error ?? ''}`);
  const post = await fetch(`${baseUrl}/posts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', cookie },
    body: JSON.stringify({ title: 'Benchmark post with a picture', body: `A photo:\n\n${body.image.markdown}` }),
  });
  if (post.status !== 201) throw new Error(`seed image post: ${post.status}`);
  return body.image.url;
}

export interface UploadResult {
  readonly megapixels: number;
  readonly jpegMb: number;
  readonly status: number;
  readonly uploadMs: number;
  readonly rssBeforeMb: number;
  readonly rssPeakMb: number;
  readonly rssAfterMb: number;
  readonly healthzProbes: number;
  readonly healthzMaxMs: number;
  readonly healthzP50Ms: number;
  /** The same probing for as long with no upload: what the shared machine alone costs /healthz. */
  readonly idleHealthzMaxMs: number;
  readonly idleHealthzP50Ms: number;
  readonly met: boolean;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Asks /healthz every 20 ms until `done()` says stop; the latencies, sorted. */
async function probeHealthz(baseUrl: string, done: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  // Bounded however long the work takes (15,000 probes is five minutes).
  for (let i = 0; !done() && i < 15_000; i++) {
    const started = performance.now();
    await (await fetch(`${baseUrl}/healthz`)).text();
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
  }
  return latencies.sort((a, b) => a - b);
}

const tenth = (ms: number | undefined) => Math.round((ms ?? 0) * 10) / 10;

/** One 12-megapixel upload, timed, with /healthz asked every 20 ms meanwhile (and as long before, idle). */
export async function measureUpload(server: ServerProcess, cookie: string, seed: number): Promise<UploadResult> {
  const jpeg = await photoJpeg(seed);
  const token = await csrfToken(server.url, cookie);
  await server.call('reset', null);
  let uploading = true;
  const probe = probeHealthz(server.url, () => !uploading);
  const started = performance.now();
  const { status } = await upload(server.url, cookie, token, jpeg, `Benchmark upload ${seed}`);
  const uploadMs = Math.round(performance.now() - started);
  uploading = false;
  const sorted = await probe;
  const stats = await server.call('stats', null);
  const idleUntil = performance.now() + uploadMs;
  const idle = await probeHealthz(server.url, () => performance.now() > idleUntil);
  const healthzMaxMs = tenth(sorted.at(-1));
  return {
    megapixels: (WIDTH * HEIGHT) / 1e6,
    jpegMb: mb(jpeg.length),
    status,
    uploadMs,
    rssBeforeMb: mb(stats.rssBeforeBytes),
    rssPeakMb: mb(stats.rssPeakBytes),
    rssAfterMb: mb(stats.rssAfterBytes),
    healthzProbes: sorted.length,
    healthzMaxMs,
    healthzP50Ms: tenth(sorted[Math.floor(sorted.length / 2)]),
    idleHealthzMaxMs: tenth(idle.at(-1)),
    idleHealthzP50Ms: tenth(idle[Math.floor(idle.length / 2)]),
    met: status === 201 && healthzMaxMs < HEALTHZ_DURING_UPLOAD_MS,
  };
}

export function formatUploads(results: readonly UploadResult[]): string {
  const lines = results.map(
    (r, i) =>
      `  upload ${i + 1}: ${r.megapixels} MP JPEG of ${r.jpegMb} MB → ${r.status} in ${r.uploadMs} ms; server RSS ` +
      `${r.rssBeforeMb} → peak ${r.rssPeakMb} → ${r.rssAfterMb} MB; /healthz meanwhile: ${r.healthzProbes} probes, ` +
      `p50 ${r.healthzP50Ms} ms, max ${r.healthzMaxMs} ms (goal < ${HEALTHZ_DURING_UPLOAD_MS}) ${r.met ? '✓' : '✗'}; ` +
      `with no upload, as long: p50 ${r.idleHealthzP50Ms} ms, max ${r.idleHealthzMaxMs} ms`,
  );
  return ['Image upload (12 megapixels, while /healthz is asked every 20 ms):', ...lines].join('\n');
}
