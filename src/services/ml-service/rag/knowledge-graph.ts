import type { Pool, PoolClient } from 'pg';

/** Outcome nodes: the CTR band a creative achieved. */
export function ctrBand(ctr: number): string {
  if (ctr >= 0.04) return 'ctr_ge_4pct';
  if (ctr >= 0.02) return 'ctr_2_4pct';
  if (ctr >= 0.01) return 'ctr_1_2pct';
  return 'ctr_lt_1pct';
}

export interface GraphWinner {
  winner_id: string;
  ad_id: string;
  ad_account_id: string;
  ctr: number;
  patterns: string[];
}

type Kind = 'creative' | 'pattern' | 'outcome' | 'account';

/** Upserts nodes in one statement, in a fixed order so concurrent updates lock rows alike; returns ids by kind:key. */
async function upsertNodes(
  client: PoolClient,
  nodes: Array<{ kind: Kind; key: string; props: object }>,
): Promise<Map<string, number>> {
  // A node twice in one upsert would be an error: the first mention (the winner's own) wins.
  const unique = [...new Map([...nodes].reverse().map((n) => [`${n.kind}:${n.key}`, n])).values()];
  const sorted = unique.sort((a, b) => `${a.kind}:${a.key}`.localeCompare(`${b.kind}:${b.key}`));
  const res = await client.query<{ id: string; kind: string; key: string }>(
    `INSERT INTO kg_nodes (kind, key, props)
     SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
     ON CONFLICT (kind, key) DO UPDATE SET props = kg_nodes.props || EXCLUDED.props, updated_at = now()
     RETURNING id, kind, key`,
    [sorted.map((n) => n.kind), sorted.map((n) => n.key), sorted.map((n) => JSON.stringify(n.props))],
  );
  return new Map(res.rows.map((r) => [`${r.kind}:${r.key}`, Number(r.id)]));
}

/**
 * One winner into the graph: its creative node, its patterns, the outcome it achieved, its account and
 * the winners it is similar to. Upserts only: running it twice leaves the graph as once.
 */
export async function updateGraph(
  client: PoolClient,
  winner: GraphWinner,
  similar: ReadonlyArray<{ ad_id: string; similarity: number }>,
): Promise<{ creative_node_id: number; nodes: number; edges: number }> {
  const band = ctrBand(winner.ctr);
  const ids = await upsertNodes(client, [
    {
      kind: 'creative',
      key: winner.ad_id,
      props: { winner_id: winner.winner_id, ctr: winner.ctr, ad_account_id: winner.ad_account_id },
    },
    ...winner.patterns.map((p) => ({ kind: 'pattern' as const, key: p, props: {} })),
    { kind: 'outcome', key: band, props: {} },
    { kind: 'account', key: winner.ad_account_id, props: {} },
    // Neighbours are indexed winners; their own flows fill in their properties.
    ...similar.map((s) => ({ kind: 'creative' as const, key: s.ad_id, props: {} })),
  ]);
  const creative = ids.get(`creative:${winner.ad_id}`)!;
  const edges: Array<[number, number, string, number]> = [
    ...winner.patterns.map((p): [number, number, string, number] => [
      creative,
      ids.get(`pattern:${p}`)!,
      'has_pattern',
      1,
    ]),
    [creative, ids.get(`outcome:${band}`)!, 'achieved', winner.ctr],
    [creative, ids.get(`account:${winner.ad_account_id}`)!, 'belongs_to', 1],
    ...similar.map((s): [number, number, string, number] => [
      creative,
      ids.get(`creative:${s.ad_id}`)!,
      'similar_to',
      s.similarity,
    ]),
  ];
  edges.sort((a, b) => a[1] - b[1] || a[2].localeCompare(b[2]));
  await client.query(
    `INSERT INTO kg_edges (src_id, dst_id, relation, weight)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::float8[])
     ON CONFLICT (src_id, dst_id, relation) DO UPDATE SET weight = EXCLUDED.weight, updated_at = now()`,
    [edges.map((e) => e[0]), edges.map((e) => e[1]), edges.map((e) => e[2]), edges.map((e) => e[3])],
  );
  return { creative_node_id: creative, nodes: ids.size, edges: edges.length };
}

export interface GraphQuery {
  patterns?: string[];
  ad_account_id?: string;
  limit: number;
}

/** The creatives the graph's queries look at: each with its CTR and outcome, in the account asked ($1) if any. */
const scope = `
  WITH creatives AS (
    SELECT c.id, c.key AS ad_id, a.weight AS ctr, o.key AS outcome
    FROM kg_nodes c
    JOIN kg_edges a ON a.src_id = c.id AND a.relation = 'achieved'
    JOIN kg_nodes o ON o.id = a.dst_id
    WHERE c.kind = 'creative'
      AND ($1::text IS NULL OR EXISTS (
        SELECT 1 FROM kg_edges b JOIN kg_nodes acc ON acc.id = b.dst_id
        WHERE b.src_id = c.id AND b.relation = 'belongs_to' AND acc.key = $1))
  )`;

/**
 * What the graph says about patterns and outcomes: per pattern, how many winners show it and their mean
 * CTR against all winners'; and the best winners showing every asked pattern, with their neighbours.
 */
export async function queryGraph(db: Pool, q: GraphQuery) {
  const patterns = await db.query(
    `${scope}
     SELECT p.key AS pattern, count(*)::int AS creatives, avg(c.ctr) AS mean_ctr,
            avg(c.ctr) / nullif((SELECT avg(ctr) FROM creatives), 0) AS lift
     FROM creatives c
     JOIN kg_edges h ON h.src_id = c.id AND h.relation = 'has_pattern'
     JOIN kg_nodes p ON p.id = h.dst_id
     WHERE $2::text[] IS NULL OR p.key = ANY($2)
     GROUP BY p.key ORDER BY lift DESC NULLS LAST`,
    [q.ad_account_id ?? null, q.patterns ?? null],
  );
  const creatives = await db.query(
    `${scope}
     SELECT c.ad_id, c.ctr, c.outcome,
            (SELECT array_agg(p.key ORDER BY p.key) FROM kg_edges h JOIN kg_nodes p ON p.id = h.dst_id
             WHERE h.src_id = c.id AND h.relation = 'has_pattern') AS patterns,
            (SELECT coalesce(json_agg(json_build_object('ad_id', n.key, 'similarity', s.weight) ORDER BY s.weight DESC), '[]')
             FROM kg_edges s JOIN kg_nodes n ON n.id = s.dst_id
             WHERE s.src_id = c.id AND s.relation = 'similar_to') AS similar
     FROM creatives c
     WHERE $2::text[] IS NULL OR NOT EXISTS (
       SELECT 1 FROM unnest($2::text[]) want WHERE NOT EXISTS (
         SELECT 1 FROM kg_edges h JOIN kg_nodes p ON p.id = h.dst_id
         WHERE h.src_id = c.id AND h.relation = 'has_pattern' AND p.key = want))
     ORDER BY c.ctr DESC LIMIT $3`,
    [q.ad_account_id ?? null, q.patterns ?? null, q.limit],
  );
  const totals = await db.query(
    `${scope} SELECT count(*)::int AS creatives, coalesce(avg(ctr), 0) AS mean_ctr FROM creatives`,
    [q.ad_account_id ?? null],
  );
  return {
    creatives: totals.rows[0].creatives as number,
    mean_ctr: Number(totals.rows[0].mean_ctr),
    patterns: patterns.rows.map((r) => ({
      pattern: r.pattern as string,
      creatives: r.creatives as number,
      mean_ctr: Number(r.mean_ctr),
      lift: r.lift === null ? null : Number(r.lift),
    })),
    top_creatives: creatives.rows.map((r) => ({
      ad_id: r.ad_id as string,
      ctr: Number(r.ctr),
      outcome: r.outcome as string,
      patterns: (r.patterns ?? []) as string[],
      similar: r.similar as Array<{ ad_id: string; similarity: number }>,
    })),
  };
}
