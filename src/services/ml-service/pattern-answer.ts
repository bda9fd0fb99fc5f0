import {
  PATTERN_KEYS,
  type PatternAnswer,
  type PatternKey,
  type PatternPrediction,
  type PatternQuestion,
  type SuggestedEdit,
} from '../../contracts/ml-service';

export type { PatternAnswer, PatternPrediction, SuggestedEdit };

/** What the predictor knows: compound learning's per-account lifts and the knowledge graph's per-pattern outcomes. */
export interface PatternEvidence {
  winning: Array<{ ad_account_id: string; pattern_key: string; lift: number; support: number }>;
  graph: { creatives: number; patterns: Array<{ pattern: string; creatives: number; lift: number | null }> };
  /** For a combination question: the graph's creatives with both patterns, and their lift over all creatives. */
  combination?: { creatives: number; lift: number | null };
}

/** The Video Agent's Pro modules that bring a pattern into a video (module names as the Video Agent has them). */
const EDITS_FOR: Record<PatternKey, Array<Omit<SuggestedEdit, 'because'>>> = {
  hook_opening: [
    { module: 'jump_cuts', params: { min_pause_s: 0.3 } },
    { module: 'text_overlays', params: { headline: 'Wait for it' } },
  ],
  high_motion: [
    { module: 'transitions', params: { style: 'dynamic' } },
    { module: 'b_roll_insertion', params: { max_inserts: 4 } },
  ],
  many_faces: [
    { module: 'smart_crop', params: { aspect_ratio: '9:16' } },
    { module: 'color_grading', params: { look: 'warm' } },
  ],
  many_scenes: [
    { module: 'jump_cuts', params: { min_pause_s: 0.25 } },
    { module: 'transitions', params: { style: 'cuts' } },
  ],
};

const round = (x: number) => Math.round(x * 1000) / 1000;

/** One pattern's lift from both sources, weighted by how many creatives each saw. */
function predict(pattern: string, evidence: PatternEvidence, account?: string): PatternPrediction | undefined {
  const learned = evidence.winning.filter(
    (w) => w.pattern_key === pattern && (!account || w.ad_account_id === account),
  );
  const graph = evidence.graph.patterns.find((p) => p.pattern === pattern && p.lift !== null);
  const learnedSupport = learned.reduce((s, w) => s + w.support, 0);
  const graphSupport = graph?.creatives ?? 0;
  const support = learnedSupport + graphSupport;
  if (support === 0) return undefined;
  const lift =
    (learned.reduce((s, w) => s + w.lift * w.support, 0) + (graph?.lift ?? 0) * graphSupport) / Math.max(1, support);
  return {
    pattern,
    lift: round(lift),
    support,
    confidence: round(support / (support + 20)),
    sources: { winning_patterns: learned.length, knowledge_graph: graphSupport },
  };
}

/** The edits for the patterns that lift CTR (lift > 1), strongest first, each module once. */
function editsFor(predictions: PatternPrediction[], max = 4): SuggestedEdit[] {
  const edits: SuggestedEdit[] = [];
  for (const p of [...predictions].sort((a, b) => b.lift - a.lift)) {
    if (p.lift <= 1) continue;
    for (const e of EDITS_FOR[p.pattern as PatternKey] ?? []) {
      if (edits.length < max && !edits.some((x) => x.module === e.module)) {
        edits.push({ ...e, because: `${p.pattern} lifts CTR ×${p.lift} (confidence ${p.confidence})` });
      }
    }
  }
  return edits;
}

/** Answers a question from the evidence; with none, says so and suggests nothing. */
export function answerPatternQuestion(q: PatternQuestion, evidence: PatternEvidence): PatternAnswer {
  const account = 'ad_account_id' in q ? q.ad_account_id : undefined;
  const none = (summary: string): PatternAnswer => ({
    answerable: false,
    summary,
    predictions: [],
    suggested_edits: [],
  });
  if (q.kind === 'combination') {
    const both = evidence.combination;
    const parts = q.patterns.map((p) => predict(p, evidence)).filter((p): p is PatternPrediction => !!p);
    if (!both?.creatives || both.lift === null)
      return none(`no winner in the graph has both ${q.patterns.join(' and ')}`);
    const combined: PatternPrediction = {
      pattern: q.patterns.join('+'),
      lift: round(both.lift),
      support: both.creatives,
      confidence: round(both.creatives / (both.creatives + 20)),
      sources: { winning_patterns: 0, knowledge_graph: both.creatives },
    };
    const beats = combined.lift > Math.max(1, ...parts.map((p) => p.lift));
    return {
      answerable: true,
      summary: `${combined.pattern}: ×${combined.lift} over ${both.creatives} winners; ${beats ? 'beats' : 'does not beat'} either alone`,
      predictions: [combined, ...parts],
      suggested_edits: beats ? editsFor(parts) : [],
    };
  }
  const patterns = q.kind === 'pattern_lift' ? [q.pattern] : [...PATTERN_KEYS];
  const predictions = patterns
    .map((p) => predict(p, evidence, account))
    .filter((p): p is PatternPrediction => !!p)
    .sort((a, b) => b.lift - a.lift);
  if (!predictions.length) return none(`no evidence yet${account ? ` for ${account}` : ''}`);
  const top = predictions[0];
  const summary =
    q.kind === 'pattern_lift'
      ? `${top.pattern} lifts CTR ×${top.lift} (support ${top.support})`
      : `${top.pattern} is the strongest pattern: ×${top.lift} (support ${top.support})`;
  const edits = editsFor(q.kind === 'edit_plan' ? predictions : [top], q.kind === 'edit_plan' ? 4 : 2);
  return { answerable: true, summary, predictions, suggested_edits: edits };
}
