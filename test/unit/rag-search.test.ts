import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryCache } from '../../src/services/ml-service/rag/cache';
import {
  bruteForceKnn,
  embed,
  EMBEDDING_DIMS,
  euclidean,
  normalizeQuery,
  recallAtK,
} from '../../src/services/ml-service/rag/embedding';
import { ctrBand } from '../../src/services/ml-service/rag/knowledge-graph';
import { ObjectStore } from '../../src/services/ml-service/rag/object-store';
import { patternsOf } from '../../src/services/ml-service/creative-patterns';
import { copyFor, winnerFor } from '../../src/flows/rag-winners';
import { seededRng } from '../../src/stats/random';

const corpus = Array.from({ length: 300 }, (_, i) => winnerFor(4242, i)).map((w) => ({
  ...w,
  embedding: embed(w.copy_text, w.features),
}));

describe('embedding', () => {
  test('is deterministic, unit length, and of the index dimension (within cube limit of 100)', () => {
    const a = embed('Bold running shoes, free shipping!');
    expect(a).toEqual(embed('bold   running shoes free shipping'));
    expect(a).toHaveLength(EMBEDDING_DIMS);
    expect(EMBEDDING_DIMS).toBeLessThanOrEqual(100);
    expect(Math.sqrt(a.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 9);
  });

  test('related texts are nearer than unrelated ones', () => {
    const q = embed('running shoes free shipping');
    expect(euclidean(q, embed('bold running shoes free shipping shop now'))).toBeLessThan(
      euclidean(q, embed('cozy desk lamp money back learn more')),
    );
  });

  test('a perturbed winner (one word swapped, motion nudged) finds that winner first', () => {
    const rng = seededRng(11);
    let first = 0;
    for (const w of corpus) {
      const words = w.copy_text.split(' ');
      words[Math.floor(rng() * words.length)] = 'sparkly';
      const motion = Math.min(1, Math.max(0, w.features.avg_motion + (rng() - 0.5) * 0.1));
      const [top] = bruteForceKnn(corpus, embed(words.join(' '), { ...w.features, avg_motion: motion }), 1);
      if (top.ad_id === w.ad_id) first++;
    }
    expect(first / corpus.length).toBeGreaterThanOrEqual(0.95);
  });

  test('a text query naming features lands on winners that show them, far above chance', () => {
    const hits = bruteForceKnn(corpus, embed('hook opening high motion many faces'), 10);
    const showing = hits.filter((h) => h.features.has_hook && h.features.avg_motion >= 0.66 && h.features.faces >= 3);
    const base = corpus.filter((h) => h.features.has_hook && h.features.avg_motion >= 0.66 && h.features.faces >= 3);
    expect(showing.length / hits.length).toBeGreaterThan(2 * (base.length / corpus.length));
  });

  test('query normalization ignores case, punctuation and spacing', () => {
    expect(normalizeQuery('  Hook-Opening,  HIGH motion! ')).toBe('hook opening high motion');
    expect(normalizeQuery('!!!')).toBe('');
  });
});

describe('recall@k', () => {
  test('counts by distance, so tied neighbours do not cost recall', () => {
    expect(recallAtK([0.1, 0.2, 0.3], [0.1, 0.2, 0.3], 3)).toBe(1);
    expect(recallAtK([0.1, 0.2, 0.5], [0.1, 0.2, 0.3], 3)).toBeCloseTo(2 / 3);
    expect(recallAtK([0.1, 0.2, 0.2], [0.1, 0.2, 0.2], 3)).toBe(1);
    expect(recallAtK([], [], 10)).toBe(1);
    expect(recallAtK([0.1], [0.1, 0.2], 10)).toBe(0.5);
  });
});

describe('winners', () => {
  test('each flow index names a distinct ad, the best of its ad set, with copy fixed by its id', () => {
    expect(new Set(corpus.map((w) => w.ad_id)).size).toBe(corpus.length);
    expect(winnerFor(4242, 7)).toEqual(winnerFor(4242, 7));
    expect(copyFor('x')).toBe(copyFor('x'));
    expect(patternsOf({ scene_count: 9, has_hook: true, avg_motion: 0.2, faces: 0 })).toEqual([
      'hook_opening',
      'many_scenes',
    ]);
    expect(ctrBand(0.005)).toBe('ctr_lt_1pct');
    expect(ctrBand(0.05)).toBe('ctr_ge_4pct');
  });
});

describe('MemoryCache', () => {
  test('returns what was set until it expires, and stays within its bound', async () => {
    let now = 1000;
    const cache = new MemoryCache(2, () => now);
    await cache.set('a', '1', 10);
    expect(await cache.get('a')).toBe('1');
    now += 10_001;
    expect(await cache.get('a')).toBeNull();
    await cache.set('a', '1', 10);
    await cache.set('b', '2', 10);
    await cache.set('c', '3', 10);
    expect(await cache.get('a')).toBeNull();
    expect(await cache.get('c')).toBe('3');
  });
});

describe('ObjectStore', () => {
  test('is content-addressed and idempotent', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rag-assets-'));
    try {
      const store = new ObjectStore(dir);
      const first = await store.put(Buffer.from('{"a":1}'), 'json');
      const again = await store.put(Buffer.from('{"a":1}'), 'json');
      expect(first.created).toBe(true);
      expect(again).toEqual({ ...first, created: false });
      expect((await store.get(first.key)).toString()).toBe('{"a":1}');
      expect((await store.put(Buffer.from('{"a":2}'), 'json')).key).not.toBe(first.key);
      expect(() => store.pathOf('../../etc/passwd')).toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
