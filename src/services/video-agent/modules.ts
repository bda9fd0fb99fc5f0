import type { z } from 'zod';
import { MODULE_PARAMS } from '../../contracts/video-agent';
import { hashSeed, pick, seededRng, type Rng } from '../../stats/random';
import type { Scene } from '../../contracts/drive-intel';
import { SEGMENT_SECONDS, type ProModule } from '../../contracts/video-agent-modules';

/** What the modules read of the source video: Drive Intel's scenes and features, as stored on its row. */
export interface SourceVideo {
  duration_seconds: number;
  scenes: Scene[];
  features: {
    media?: { width: number; height: number; fps: number };
    transcript?: { words: Array<{ word: string; start_s: number; end_s: number }> };
    objects?: Array<{
      scene: number;
      detections: Array<{ label: string; box: { x: number; y: number; w: number; h: number } }>;
    }>;
    ocr?: Array<{ scene: number; text: string }>;
  };
}

export interface ModuleInput {
  video: SourceVideo;
  spec: { aspect_ratio: '9:16' | '1:1' | '16:9'; resolution: '720p' | '1080p' };
  /** Outputs of modules already applied to this job, by module. */
  applied: Record<string, Record<string, unknown>>;
  rng: Rng;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const ASPECT = { '9:16': 9 / 16, '1:1': 1, '16:9': 16 / 9 } as const;

export type ModuleParams<M extends ProModule> = z.infer<(typeof MODULE_PARAMS)[M]>;

/** Platform time a module takes on `seconds` of footage: a fixed setup plus a cost per second. */
export function moduleLatencyMs(module: ProModule, seconds: number): number {
  const perSecond: Record<ProModule, number> = {
    jump_cuts: 15,
    stabilization: 80,
    smart_crop: 40,
    color_grading: 60,
    transitions: 10,
    b_roll_insertion: 30,
    text_overlays: 10,
    captions: 15,
    voiceover: 50,
    audio_mixing: 25,
    brand_overlay: 5,
    end_card: 5,
    winning_ad_generation: 20,
  };
  return 300 + perSecond[module] * seconds;
}

/** The segments a segmented module renders: one per SEGMENT_SECONDS of footage. */
export function segmentCount(durationSeconds: number): number {
  return Math.max(1, Math.ceil(durationSeconds / SEGMENT_SECONDS));
}

/** Rendering one segment: encoded frames and the encoder's quality report. */
export function renderSegment(jobId: string, segment: number, video: SourceVideo, spec: ModuleInput['spec']) {
  const rng = seededRng(hashSeed(`${jobId}:segment:${segment}`));
  const fps = video.features.media?.fps ?? 30;
  const start = segment * SEGMENT_SECONDS;
  const end = Math.min(video.duration_seconds, start + SEGMENT_SECONDS);
  const height = spec.resolution === '1080p' ? 1080 : 720;
  const kbps = Math.round((height === 1080 ? 6000 : 3500) * (0.85 + rng() * 0.3));
  return {
    segment,
    start_s: round(start),
    end_s: round(end),
    frames: Math.round((end - start) * fps),
    encoded_bytes: Math.round(((end - start) * kbps * 1000) / 8),
    bitrate_kbps: kbps,
    psnr_db: round(38 + rng() * 6),
  };
}

function sourceSize(video: SourceVideo) {
  return { width: video.features.media?.width ?? 1920, height: video.features.media?.height ?? 1080 };
}

/** Seconds cut by jump cuts (if applied), so later modules time against the edited cut. */
function editedDuration(input: ModuleInput): number {
  const cut = input.applied.jump_cuts as { output_duration_s?: number } | undefined;
  return cut?.output_duration_s ?? input.video.duration_seconds;
}

function words(video: SourceVideo) {
  return video.features.transcript?.words ?? [];
}

type Compute<M extends ProModule> = (input: ModuleInput, params: ModuleParams<M>) => Record<string, unknown>;

const COMPUTE: { [M in ProModule]: Compute<M> } = {
  jump_cuts: ({ video }, p) => {
    // Pauses in speech longer than the threshold are cut, keeping a little padding on each side.
    const w = words(video);
    const cuts = [];
    for (let i = 1; i < w.length; i++) {
      const gap = w[i].start_s - w[i - 1].end_s;
      if (gap >= p.min_pause_s) {
        cuts.push({ start_s: round(w[i - 1].end_s + p.padding_s), end_s: round(w[i].start_s - p.padding_s) });
      }
    }
    const removed = cuts.reduce((s, c) => s + Math.max(0, c.end_s - c.start_s), 0);
    return { cuts, removed_s: round(removed), output_duration_s: round(video.duration_seconds - removed) };
  },

  stabilization: ({ video, rng }, p) => {
    const scenes = video.scenes.map((s) => {
      const shake = round(s.motion * (0.5 + rng() * 0.8) * 12, 1);
      return { scene: s.index, shake_px: shake, smoothing_frames: Math.round(8 + p.strength * 40), applied: shake > 3 };
    });
    const maxShake = Math.max(0, ...scenes.map((s) => (s.applied ? s.shake_px : 0)));
    return { scenes, crop_margin_pct: round(Math.min(10, maxShake * p.strength * 0.6), 1) };
  },

  smart_crop: ({ video, spec }, p) => {
    // A crop box per scene that keeps the main subject (a face if any, else the largest object) in frame.
    const target = ASPECT[p.aspect_ratio ?? spec.aspect_ratio];
    const { width, height } = sourceSize(video);
    const cropW = width / height > target ? Math.round(height * target) : width;
    const cropH = width / height > target ? height : Math.round(width / target);
    const boxes = video.scenes.map((s) => {
      const found = video.features.objects?.find((o) => o.scene === s.index)?.detections ?? [];
      const subject =
        found.find((d) => d.label === 'face') ?? [...found].sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h)[0];
      const cx = subject ? (subject.box.x + subject.box.w / 2) * width : width / 2;
      const cy = subject ? (subject.box.y + subject.box.h / 2) * height : height / 2;
      const x = Math.round(Math.min(width - cropW, Math.max(0, cx - cropW / 2)));
      const y = Math.round(Math.min(height - cropH, Math.max(0, cy - cropH / 2)));
      return { scene: s.index, x, y, w: cropW, h: cropH, tracked: subject?.label ?? 'center' };
    });
    return { aspect_ratio: p.aspect_ratio ?? spec.aspect_ratio, source: { width, height }, boxes };
  },

  color_grading: ({ video, rng }, p) => {
    const luts = {
      neutral: 'rec709_neutral.cube',
      warm: 'golden_hour.cube',
      punchy: 'ugc_punch.cube',
      cinematic: 'teal_orange.cube',
    };
    // Exposure pulls each scene toward mid-grey; temperature and saturation follow the look.
    const scenes = video.scenes.map((s) => ({
      scene: s.index,
      exposure_ev: round(Math.log2(0.55 / Math.max(0.05, s.brightness)), 2),
      contrast: round(1 + (p.look === 'punchy' ? 0.15 : 0.05) + (rng() - 0.5) * 0.04),
    }));
    return {
      lut: luts[p.look],
      white_balance_k: p.look === 'warm' ? 5200 : p.look === 'cinematic' ? 4800 : 5600,
      saturation: p.look === 'punchy' ? 1.18 : p.look === 'neutral' ? 1 : 1.08,
      scenes,
    };
  },

  transitions: ({ video, rng }, p) => {
    const kinds =
      p.style === 'cuts'
        ? ['cut']
        : p.style === 'smooth'
          ? ['crossfade', 'dip_to_white']
          : ['whip_pan', 'zoom_punch', 'cut'];
    const list = video.scenes.slice(1).map((s) => {
      const type = pick(rng, kinds);
      return {
        at_s: s.start_s,
        from_scene: s.index - 1,
        to_scene: s.index,
        type,
        duration_s: type === 'cut' ? 0 : round(0.2 + rng() * 0.3),
      };
    });
    return { style: p.style, transitions: list };
  },

  b_roll_insertion: ({ video, rng }, p) => {
    // Static talking scenes get cutaways; the hook and the call to action stay on the speaker.
    const candidates = video.scenes
      .filter((s) => s.kind !== 'hook' && s.kind !== 'call_to_action' && s.motion < 0.5)
      .slice(0, p.max_inserts);
    const inserts = candidates.map((s) => {
      const length = Math.min(s.end_s - s.start_s, 1 + rng() * 1.5);
      return {
        scene: s.index,
        clip_id: `broll_${Math.floor(rng() * 9000 + 1000)}`,
        in_s: s.start_s,
        out_s: round(s.start_s + length),
        audio: 'keep_original',
      };
    });
    return { inserts, library: 'stock_lifestyle_v3' };
  },

  text_overlays: ({ video }, p) => {
    const ocr = video.features.ocr ?? [];
    const headline = p.headline ?? ocr[0]?.text ?? 'You need to see this';
    const hook = video.scenes[0];
    const overlays = [
      {
        text: headline,
        start_s: 0,
        end_s: round(Math.min(3, hook?.end_s ?? 3)),
        position: 'top_safe',
        font: p.font,
        size_px: 64,
      },
      ...ocr
        .filter((o) => o.text !== headline)
        .slice(0, 3)
        .map((o) => {
          const scene = video.scenes[o.scene];
          return {
            text: o.text,
            start_s: scene.start_s,
            end_s: scene.end_s,
            position: 'center_safe',
            font: p.font,
            size_px: 52,
          };
        }),
    ];
    return { overlays, safe_zone: { top_pct: 14, bottom_pct: 20 } };
  },

  captions: ({ video }, p) => {
    // Timed cues from the transcript's words, cut at the line length a phone screen holds.
    const cues: Array<{ start_s: number; end_s: number; text: string }> = [];
    let current: { start_s: number; end_s: number; text: string } | undefined;
    for (const w of words(video)) {
      if (current && (current.text.length + 1 + w.word.length > p.max_chars || w.start_s - current.end_s > 0.6)) {
        cues.push(current);
        current = undefined;
      }
      current = current
        ? { ...current, end_s: w.end_s, text: `${current.text} ${w.word}` }
        : { start_s: w.start_s, end_s: w.end_s, text: w.word };
    }
    if (current) cues.push(current);
    return { format: 'webvtt', style: p.style, cues, burned_in: true };
  },

  voiceover: ({ video, rng }, p) => {
    const lines = (
      video.features.transcript?.words.length
        ? ['Here is why everyone is switching.', 'Try it today.']
        : ['Meet your new favourite.', 'Tap to shop.']
    ).map((text, i) => {
      const seconds = (text.split(' ').length / p.words_per_minute) * 60;
      const start = i === 0 ? 0.2 : Math.max(0, video.duration_seconds - seconds - 0.5);
      return { text, start_s: round(start), end_s: round(start + seconds) };
    });
    return { voice: p.voice, words_per_minute: p.words_per_minute, lines, ducking_db: -round(8 + rng() * 4, 1) };
  },

  audio_mixing: ({ rng }, p) => {
    // Measure, then gain to the platform's loudness target with a true-peak ceiling.
    const measured = round(-23 + (rng() - 0.5) * 8, 1);
    return {
      measured_lufs: measured,
      target_lufs: p.target_lufs,
      gain_db: round(p.target_lufs - measured, 1),
      true_peak_dbtp: p.true_peak_dbtp,
      music_bed_db: -18,
      speech_ducking_db: -12,
      output_lufs: p.target_lufs,
    };
  },

  brand_overlay: ({ video, spec }, p) => {
    const { width, height } = sourceSize(video);
    const frameW = spec.aspect_ratio === '16:9' ? width : Math.round(height * ASPECT[spec.aspect_ratio]);
    const size = Math.round(frameW * 0.14);
    const margin = Math.round(frameW * 0.04);
    const right = p.position.endsWith('right');
    const bottom = p.position.startsWith('bottom');
    return {
      logo: 'brand/logo_white.png',
      box: {
        x: right ? frameW - size - margin : margin,
        y: bottom ? height - size - Math.round(height * 0.2) : Math.round(height * 0.14),
        w: size,
        h: size,
      },
      opacity: p.opacity,
      visible_from_s: 0.5,
    };
  },

  end_card: (input, p) => {
    const end = editedDuration(input);
    return {
      cta: p.cta,
      start_s: round(end),
      end_s: round(end + p.duration_s),
      background: 'brand_gradient',
      button: { text: p.cta, color: '#FF3B5C' },
    };
  },

  winning_ad_generation: (input, p) => {
    const modules = Object.keys(input.applied);
    const endCard = input.applied.end_card as { end_s?: number } | undefined;
    const captions = input.applied.captions as { cues?: unknown[] } | undefined;
    const hookText = words(input.video)
      .slice(0, 4)
      .map((w) => w.word)
      .join(' ');
    // The variant's promise grows with the edits that matter most on short-form placements.
    const boosts = ['captions', 'smart_crop', 'jump_cuts', 'text_overlays', 'audio_mixing'].filter((m) =>
      modules.includes(m),
    ).length;
    return {
      variant: p.variant,
      hook: hookText || (input.video.scenes[0]?.kind ?? 'hook'),
      duration_s: round(endCard?.end_s ?? editedDuration(input)),
      aspect_ratio: input.spec.aspect_ratio,
      resolution: input.spec.resolution,
      modules_applied: modules,
      caption_cues: captions?.cues?.length ?? 0,
      predicted_thumbstop_rate: round(0.18 + boosts * 0.03 + input.rng() * 0.05, 3),
    };
  },
};

/** Applies one module: its output, from the source video, the job's spec and the modules applied before. */
export function computeModule<M extends ProModule>(module: M, input: ModuleInput, params: ModuleParams<M>) {
  return (COMPUTE[module] as Compute<M>)(input, params);
}
