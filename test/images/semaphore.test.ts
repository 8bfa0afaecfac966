import { describe, expect, it } from 'vitest';
import { sniffFormat } from '../../src/images/image-format';
import { Semaphore } from '../../src/images/semaphore';
import { bombPng, smallImage } from './image-fixtures';

describe('Semaphore (how many pictures are decoded at once)', () => {
  it('lets `limit` run, queues `maxWaiting`, refuses the rest, and hands each freed slot to the next in line', async () => {
    const gate = new Semaphore(2, 2);
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const job = () =>
      gate.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return 'done';
      });
    const jobs = [job(), job(), job(), job(), job()];
    await new Promise((resolve) => setImmediate(resolve));
    expect(await jobs[4]).toBeUndefined(); // the queue was full
    expect(gate.inUse).toBe(2);
    // Bounded: each round frees what is running; four jobs need at most four rounds.
    for (let round = 0; round < 4 && releases.length > 0; round++) {
      for (const release of releases.splice(0)) release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(jobs.slice(0, 4))).toEqual(['done', 'done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(gate.inUse).toBe(0);
  });
});

describe('sniffFormat', () => {
  it('knows the five formats by their first bytes, and nothing else', async () => {
    for (const format of ['jpeg', 'png', 'webp', 'gif', 'avif'] as const) {
      expect(sniffFormat(await smallImage(format))).toBe(format);
    }
    expect(sniffFormat(bombPng())).toBe('png');
    for (const other of [
      '<svg xmlns="http://www.w3.org/2000/svg"/>',
      '<!DOCTYPE html>',
      '%PDF-1.7',
      'GIF90a',
      'RIFF0000WAVE',
    ]) {
      expect(sniffFormat(Buffer.from(other))).toBeUndefined();
    }
  });
});
