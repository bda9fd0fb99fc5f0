import type { CreativeFeatures } from '../ctr-model';

/**
 * Deterministic embeddings for creatives and queries: hashed word and word-pair features of the text,
 * plus the creative's numeric features, normalized so Euclidean order is cosine order. Pure.
 */
export const TEXT_DIMS = 56;
export const NUMERIC_DIMS = 4;
export const EMBEDDING_DIMS = TEXT_DIMS + NUMERIC_DIMS;
/** How much the numeric features weigh against the (unit) text part. */
const NUMERIC_WEIGHT = 0.5;
const BIGRAM_WEIGHT = 0.5;

export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0);
}

/** The form a query is cached under: case, punctuation and spacing do not make a new query. */
export function normalizeQuery(text: string): string {
  return tokenize(text).join(' ');
}

/** 32-bit FNV-1a. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function textVector(text: string): number[] {
  const v = new Array<number>(TEXT_DIMS).fill(0);
  const tokens = tokenize(text);
  const add = (feature: string, weight: number) => {
    const h = fnv1a(feature);
    // A sign from other bits than the bucket keeps colliding features from always adding up.
    v[h % TEXT_DIMS] += (h & 0x80000000 ? -1 : 1) * weight;
  };
  tokens.forEach((t, i) => {
    add(`u:${t}`, 1);
    if (i > 0) add(`b:${tokens[i - 1]} ${t}`, BIGRAM_WEIGHT);
  });
  return unit(v);
}

function numericVector(f: CreativeFeatures): number[] {
  return [
    Math.min(f.scene_count, 14) / 14,
    f.has_hook ? 1 : 0,
    Math.min(Math.max(f.avg_motion, 0), 1),
    Math.min(f.faces, 6) / 6,
  ];
}

function unit(v: number[]): number[] {
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return norm > 0 ? v.map((x) => x / norm) : v;
}

/** A text (and, when known, the creative's features) as a unit vector of EMBEDDING_DIMS. */
export function embed(text: string, features?: CreativeFeatures): number[] {
  const numeric = features ? numericVector(features).map((x) => x * NUMERIC_WEIGHT) : new Array(NUMERIC_DIMS).fill(0);
  return unit([...textVector(text), ...numeric]);
}

export function euclidean(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** Exact k nearest by scanning every vector: the reference the index is measured against. */
export function bruteForceKnn<T extends { embedding: readonly number[] }>(
  items: readonly T[],
  query: readonly number[],
  k: number,
): Array<T & { distance: number }> {
  return items
    .map((item) => ({ ...item, distance: euclidean(item.embedding, query) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, k);
}

/**
 * Recall@k of an approximate answer against the exact one, by distance so ties cannot cost recall:
 * a returned item counts when it is no farther than the exact k-th nearest.
 */
export function recallAtK(found: readonly number[], exact: readonly number[], k: number): number {
  const want = Math.min(k, exact.length);
  if (want === 0) return 1;
  const bound = exact[want - 1] + 1e-9;
  const hits = found.slice(0, k).filter((d) => d <= bound).length;
  return Math.min(1, hits / want);
}
