import { patternQuestion } from '../../src/flows/pattern-questions';
import { answerPatternQuestion, type PatternEvidence } from '../../src/services/ml-service/pattern-answer';
import { PATTERN_KEYS } from '../../src/contracts/ml-service';

const evidence: PatternEvidence = {
  winning: [
    { ad_account_id: 'act_300001', pattern_key: 'hook_opening', lift: 1.4, support: 30 },
    { ad_account_id: 'act_300001', pattern_key: 'many_faces', lift: 0.8, support: 10 },
    { ad_account_id: 'act_300002', pattern_key: 'many_faces', lift: 2.0, support: 50 },
  ],
  graph: {
    creatives: 40,
    patterns: [
      { pattern: 'hook_opening', creatives: 10, lift: 1.2 },
      { pattern: 'high_motion', creatives: 5, lift: 0.9 },
    ],
  },
};

test('questions are random but reproducible: same seed and index, same question; all kinds appear', () => {
  expect(patternQuestion(7, 3)).toEqual(patternQuestion(7, 3));
  const kinds = new Set<string>();
  const texts = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const { question, clip } = patternQuestion(7, i);
    kinds.add(question.kind);
    texts.add(question.text);
    if (question.kind === 'combination') expect(question.patterns[0]).not.toBe(question.patterns[1]);
    expect(clip.duration_seconds).toBeGreaterThanOrEqual(8);
  }
  expect([...kinds].sort()).toEqual(['best_pattern', 'combination', 'edit_plan', 'pattern_lift']);
  expect(texts.size).toBeGreaterThan(20);
  expect(patternQuestion(8, 3)).not.toEqual(patternQuestion(7, 3));
});

test("the best pattern weighs both sources by support, within the question's account only", () => {
  const a = answerPatternQuestion({ kind: 'best_pattern', ad_account_id: 'act_300001', text: '?' }, evidence);
  expect(a.answerable).toBe(true);
  // hook_opening: (1.4 × 30 + 1.2 × 10) / 40; act_300002's strong many_faces does not count here.
  expect(a.predictions[0]).toMatchObject({
    pattern: 'hook_opening',
    lift: 1.35,
    support: 40,
    sources: { winning_patterns: 1, knowledge_graph: 10 },
  });
  expect(a.predictions.find((p) => p.pattern === 'many_faces')?.lift).toBe(0.8);
  // Only lifting patterns suggest edits, and only the top one's for this kind.
  expect(a.suggested_edits.map((e) => e.module)).toEqual(['jump_cuts', 'text_overlays']);
});

test('an edit plan takes edits from every lifting pattern, each module once, at most four', () => {
  const a = answerPatternQuestion({ kind: 'edit_plan', ad_account_id: 'act_300002', text: '?' }, evidence);
  // act_300002: many_faces ×2.0 from learning; hook_opening ×1.2 from the graph; high_motion 0.9 suggests nothing.
  expect(a.suggested_edits.map((e) => e.module)).toEqual(['smart_crop', 'color_grading', 'jump_cuts', 'text_overlays']);
  expect(a.suggested_edits[0].because).toMatch(/many_faces lifts CTR ×2/);
});

test('a combination is answered from the winners that have both, and suggests edits only when it beats each alone', () => {
  const q = {
    kind: 'combination' as const,
    patterns: ['hook_opening', 'high_motion'] as ['hook_opening', 'high_motion'],
    text: '?',
  };
  const strong = answerPatternQuestion(q, { ...evidence, combination: { creatives: 6, lift: 1.9 } });
  expect(strong.predictions[0]).toMatchObject({ pattern: 'hook_opening+high_motion', lift: 1.9, support: 6 });
  expect(strong.summary).toMatch(/beats either alone/);
  expect(strong.suggested_edits.length).toBeGreaterThan(0);
  const weak = answerPatternQuestion(q, { ...evidence, combination: { creatives: 6, lift: 1.1 } });
  expect(weak.summary).toMatch(/does not beat/);
  expect(weak.suggested_edits).toEqual([]);
  expect(answerPatternQuestion(q, { ...evidence, combination: { creatives: 0, lift: null } }).answerable).toBe(false);
});

test('with no evidence the predictor says so and suggests nothing', () => {
  const empty: PatternEvidence = { winning: [], graph: { creatives: 0, patterns: [] } };
  for (const pattern of PATTERN_KEYS) {
    const a = answerPatternQuestion({ kind: 'pattern_lift', pattern, text: '?' }, empty);
    expect(a).toMatchObject({ answerable: false, predictions: [], suggested_edits: [] });
  }
});
