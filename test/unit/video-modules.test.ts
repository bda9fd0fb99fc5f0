import { FLOWS } from '../../src/flows/catalog';
import { seededRng } from '../../src/stats/random';
import { detectScenes } from '../../src/services/drive-intel/routes';
import { extractFeatures } from '../../src/services/drive-intel/analysers';
import { MODULE_PARAMS } from '../../src/contracts/video-agent';
import { computeModule, segmentCount, type ModuleInput } from '../../src/services/video-agent/modules';
import { PRO_MODULES } from '../../src/contracts/video-agent-modules';

function input(duration: number, media = { width: 1920, height: 1080, fps: 30 }): ModuleInput {
  const scenes = detectScenes('video-1', duration);
  const features = { media, ...extractFeatures('video-1', duration, scenes) };
  return {
    video: { duration_seconds: duration, scenes, features },
    spec: { aspect_ratio: '9:16', resolution: '1080p' },
    applied: {},
    rng: seededRng(1),
  };
}

test('the Pro modules are the catalog steps after the three analysers, in order', () => {
  expect([...PRO_MODULES]).toEqual(FLOWS['video-processing'].steps.slice(3));
});

test('captions are ordered cues within the line length, covering every transcribed word', () => {
  const i = input(30);
  const words = i.video.features.transcript!.words;
  const out = computeModule('captions', i, MODULE_PARAMS.captions.parse({ max_chars: 24 })) as {
    cues: Array<{ start_s: number; end_s: number; text: string }>;
  };
  expect(out.cues.map((c) => c.text).join(' ')).toBe(words.map((w) => w.word).join(' '));
  for (const [k, cue] of out.cues.entries()) {
    expect(cue.text.length).toBeLessThanOrEqual(24);
    expect(cue.end_s).toBeGreaterThan(cue.start_s);
    if (k > 0) expect(cue.start_s).toBeGreaterThanOrEqual(out.cues[k - 1].end_s);
  }
});

test('smart crop boxes are 9:16 and stay inside the source frame, landscape or portrait', () => {
  for (const media of [
    { width: 1920, height: 1080, fps: 30 },
    { width: 1080, height: 1920, fps: 30 },
  ]) {
    const out = computeModule('smart_crop', input(20, media), {}) as {
      boxes: Array<{ x: number; y: number; w: number; h: number }>;
    };
    for (const b of out.boxes) {
      expect(b.w / b.h).toBeCloseTo(9 / 16, 2);
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.x + b.w).toBeLessThanOrEqual(media.width);
      expect(b.y + b.h).toBeLessThanOrEqual(media.height);
    }
  }
});

test('jump cuts remove only pauses between words, and the end card starts where the cut ends', () => {
  const i = input(40);
  const cut = computeModule('jump_cuts', i, MODULE_PARAMS.jump_cuts.parse({})) as {
    cuts: Array<{ start_s: number; end_s: number }>;
    output_duration_s: number;
  };
  expect(cut.cuts.length).toBeGreaterThan(0);
  const words = i.video.features.transcript!.words;
  for (const c of cut.cuts) {
    expect(words.some((w) => w.start_s < c.end_s && w.end_s > c.start_s)).toBe(false);
  }
  expect(cut.output_duration_s).toBeLessThan(40);
  const card = computeModule('end_card', { ...i, applied: { jump_cuts: cut } }, MODULE_PARAMS.end_card.parse({}));
  expect(card).toMatchObject({ start_s: cut.output_duration_s });
});

test('segments cover the footage in three-second parts, at least one', () => {
  expect(segmentCount(0.5)).toBe(1);
  expect(segmentCount(30)).toBe(10);
  expect(segmentCount(31)).toBe(11);
});
