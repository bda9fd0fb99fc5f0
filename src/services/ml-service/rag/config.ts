import path from 'node:path';
import { z } from 'zod';
import { DATA_DIR } from '../../../config';

const ragEnvSchema = z.object({
  /** Redis in front of search when set; an in-process cache otherwise. */
  REDIS_URL: z.string().url().optional(),
  /** Where creative assets are stored, content-addressed. */
  RAG_ASSET_DIR: z.string().min(1).optional(),
  RAG_CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(30),
});

export interface RagConfig {
  redisUrl?: string;
  assetDir: string;
  cacheTtlSeconds: number;
}

/** The RAG's settings from the environment, validated once. */
export function ragConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RagConfig {
  const parsed = ragEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`bad environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  return {
    redisUrl: parsed.data.REDIS_URL,
    assetDir: path.resolve(parsed.data.RAG_ASSET_DIR ?? path.join(DATA_DIR, 'rag-assets')),
    cacheTtlSeconds: parsed.data.RAG_CACHE_TTL_SECONDS,
  };
}
