import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Creative assets in a directory, content-addressed (`sha256/ab/<hash>.<ext>`): the same bytes always
 * land at the same key, so storing twice is harmless.
 */
export class ObjectStore {
  constructor(readonly root: string) {}

  pathOf(key: string): string {
    if (!/^sha256\/[0-9a-f]{2}\/[0-9a-f]{64}\.[a-z]+$/.test(key)) throw new Error(`bad asset key ${key}`);
    return path.join(this.root, key);
  }

  async put(bytes: Buffer, ext: string): Promise<{ key: string; bytes: number; created: boolean }> {
    const hash = crypto.createHash('sha256').update(bytes).digest('hex');
    const key = `sha256/${hash.slice(0, 2)}/${hash}.${ext}`;
    const file = this.pathOf(key);
    try {
      await fs.access(file);
      return { key, bytes: bytes.length, created: false };
    } catch {
      // not there yet: write it
    }
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write aside, then rename: a reader never sees half an asset, and concurrent writers agree.
    const tmp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
    return { key, bytes: bytes.length, created: true };
  }

  async get(key: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(key));
  }
}
