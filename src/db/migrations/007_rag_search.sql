-- The rag-search flow: an index of winning creatives (a GiST index on cube vectors, KNN by `<->`),
-- the patterns found around each winner, search benchmarks, and a knowledge graph of creatives,
-- patterns and outcomes. The bundled PostgreSQL has no pgvector; cube holds up to 100 dimensions.
CREATE EXTENSION IF NOT EXISTS cube;

CREATE TABLE rag_winners (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE,
  ad_id text NOT NULL UNIQUE,
  ad_account_id text NOT NULL,
  ad_set_id text NOT NULL,
  copy_text text NOT NULL,
  features jsonb NOT NULL,
  patterns text[] NOT NULL DEFAULT '{}',
  ctr double precision NOT NULL CHECK (ctr BETWEEN 0 AND 1),
  -- The creative's DNA in the object store, by content address.
  asset_key text NOT NULL,
  embedding cube NOT NULL,
  -- The same vector as an array, for exact (brute-force) comparison and for readers without cube.
  embedding_array double precision[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rag_winners_embedding_gist ON rag_winners USING gist (embedding);
CREATE INDEX rag_winners_account_idx ON rag_winners (ad_account_id);
CREATE INDEX rag_winners_patterns_gin ON rag_winners USING gin (patterns);

CREATE TABLE rag_pattern_extractions (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  winner_id uuid NOT NULL REFERENCES rag_winners (id) ON DELETE CASCADE,
  -- { neighbors: [{ winner_id, ad_id, distance }], patterns: [{ pattern, neighbor_share, corpus_share, lift }] }
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rag_pattern_extractions_winner_idx ON rag_pattern_extractions (winner_id);

CREATE TABLE rag_search_benchmarks (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  corpus_size integer NOT NULL CHECK (corpus_size >= 0),
  queries integer NOT NULL CHECK (queries > 0),
  k integer NOT NULL CHECK (k > 0),
  recall_at_k double precision NOT NULL CHECK (recall_at_k BETWEEN 0 AND 1),
  index_used boolean NOT NULL,
  index_p50_ms double precision NOT NULL,
  index_p95_ms double precision NOT NULL,
  brute_force_p50_ms double precision NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Knowledge graph: nodes are unique by (kind, key), edges by (src, dst, relation); updates upsert.
CREATE TABLE kg_nodes (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('creative', 'pattern', 'outcome', 'account')),
  key text NOT NULL,
  props jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, key)
);

CREATE TABLE kg_edges (
  id bigserial PRIMARY KEY,
  src_id bigint NOT NULL REFERENCES kg_nodes (id) ON DELETE CASCADE,
  dst_id bigint NOT NULL REFERENCES kg_nodes (id) ON DELETE CASCADE,
  relation text NOT NULL CHECK (relation IN ('has_pattern', 'achieved', 'similar_to', 'belongs_to')),
  weight double precision NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (src_id, dst_id, relation)
);
CREATE INDEX kg_edges_dst_idx ON kg_edges (dst_id, relation);
