import type { Scene } from '../../contracts/drive-intel';
import { hashSeed, pick, seededRng, type Rng } from '../../stats/random';

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

const RESOLUTIONS = [
  { width: 1920, height: 1080 },
  { width: 1080, height: 1920 },
  { width: 3840, height: 2160 },
  { width: 1280, height: 720 },
] as const;

/** What ffprobe would say about an uploaded file; seeded by the upload's key so a retry probes the same. */
export function probeMedia(key: string, durationSeconds: number) {
  const rng = seededRng(hashSeed(`${key}:probe`));
  const resolution = pick(rng, RESOLUTIONS);
  const fps = pick(rng, [24, 25, 30, 60] as const);
  const videoKbps = Math.round((resolution.width * resolution.height * fps * 0.07) / 1000);
  return {
    container: 'mp4',
    video_codec: pick(rng, ['h264', 'hevc'] as const),
    audio_codec: 'aac',
    width: resolution.width,
    height: resolution.height,
    fps,
    frames: Math.round(durationSeconds * fps),
    video_bitrate_kbps: videoKbps,
    audio_sample_rate: 48_000,
    audio_channels: rng() < 0.8 ? 2 : 1,
    size_bytes: Math.round(((videoKbps + 128) * 1000 * durationSeconds) / 8),
  };
}

const OBJECTS: Record<string, readonly string[]> = {
  hook: ['person', 'face', 'smartphone', 'text'],
  product_closeup: ['bottle', 'box', 'hand', 'logo'],
  testimonial: ['person', 'face', 'microphone', 'sofa'],
  lifestyle: ['person', 'dog', 'car', 'tree', 'cup'],
  demo: ['hand', 'laptop', 'smartphone', 'screen'],
  call_to_action: ['text', 'logo', 'button'],
};

/** Object detection per scene: labels with confidences and normalized boxes, biased by the scene's kind. */
export function detectObjects(rng: Rng, scenes: Scene[]) {
  return scenes.map((scene) => {
    const labels = OBJECTS[scene.kind] ?? OBJECTS.lifestyle;
    const count = 1 + Math.floor(rng() * 3) + scene.faces;
    const detections = Array.from({ length: count }, (_, i) => {
      const w = round(0.15 + rng() * 0.4, 3);
      const h = round(0.15 + rng() * 0.5, 3);
      return {
        label: i < scene.faces ? 'face' : pick(rng, labels),
        confidence: round(0.55 + rng() * 0.44, 3),
        box: { x: round(rng() * (1 - w), 3), y: round(rng() * (1 - h), 3), w, h },
      };
    });
    return { scene: scene.index, detections };
  });
}

const ON_SCREEN = ['50% OFF TODAY', 'FREE SHIPPING', 'NEW', 'LIMITED EDITION', 'SHOP NOW', 'Link in bio'];

/** OCR: on-screen text where the scene kind usually carries some, with where it sits on the frame. */
export function readText(rng: Rng, scenes: Scene[]) {
  return scenes
    .filter((s) => s.kind === 'call_to_action' || s.kind === 'hook' || rng() < 0.2)
    .map((scene) => ({
      scene: scene.index,
      text: pick(rng, ON_SCREEN),
      confidence: round(0.7 + rng() * 0.29, 3),
      at_s: round(scene.start_s + (scene.end_s - scene.start_s) * 0.3),
      region: pick(rng, ['top', 'center', 'bottom'] as const),
    }));
}

const SCRIPT = [
  'stop scrolling',
  'this changed my morning routine',
  'I tried everything before this',
  'it takes thirty seconds',
  'look at the difference',
  'my skin has never felt better',
  'and it ships free',
  'thousands of five star reviews',
  'grab yours today',
  'tap the link below',
];

/**
 * Speech to text: phrases spoken at about 2.6 words a second, with pauses between them (the gaps
 * jump cuts remove), word timings and a confidence per word.
 */
export function transcribe(rng: Rng, durationSeconds: number) {
  const words: Array<{ word: string; start_s: number; end_s: number; confidence: number }> = [];
  let t = 0.3 + rng() * 0.5;
  let line = 0;
  while (t < durationSeconds - 0.5) {
    const phrase = SCRIPT[line % SCRIPT.length].split(' ');
    for (const word of phrase) {
      const length = 0.18 + word.length * 0.035 + rng() * 0.08;
      if (t + length > durationSeconds) break;
      words.push({ word, start_s: round(t), end_s: round(t + length), confidence: round(0.82 + rng() * 0.17, 3) });
      t += length + 0.04;
    }
    // A pause between phrases: a breath, sometimes a long hesitation.
    t += rng() < 0.25 ? 0.6 + rng() * 0.9 : 0.15 + rng() * 0.25;
    line++;
  }
  const speech = words.reduce((s, w) => s + (w.end_s - w.start_s), 0);
  return {
    language: 'en-US',
    text: words.map((w) => w.word).join(' '),
    words,
    speech_ratio: round(speech / durationSeconds, 3),
  };
}

/** All three analysers of one video, seeded by its id so a retried extraction yields the same features. */
export function extractFeatures(videoId: string, durationSeconds: number, scenes: Scene[]) {
  const rng = seededRng(hashSeed(`${videoId}:features`));
  const objects = detectObjects(rng, scenes);
  const ocr = readText(rng, scenes);
  const transcript = transcribe(rng, durationSeconds);
  return { objects, ocr, transcript };
}
