import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { settler, watchDirectory, yamlFilesState, type SettleTimers } from '../../src/files/watch-dir.js';
import { createLogger } from '../../src/observe/logger.js';
import { tempDir } from '../helpers/vigil.js';
import { waitFor } from '../helpers/wait.js';

/** Timers that fire only when the test moves time on. */
class ManualTimers implements SettleTimers {
  private t = 0;
  private next = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.due.set(++this.next, { at: this.t + ms, fn });
    return this.next;
  }
  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const first = [...this.due.entries()].filter(([, d]) => d.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!first) break;
      this.due.delete(first[0]);
      this.t = first[1].at;
      first[1].fn();
    }
    this.t = end;
  }
}

function setUp(options: { quietMs?: number; maxWaitMs?: number } = {}) {
  const timers = new ManualTimers();
  const files = { state: 'half' };
  let reloads = 0;
  const s = settler(() => files.state, () => reloads++, { quietMs: 500, maxWaitMs: 5000, ...options, timers });
  return { timers, files, s, reloads: () => reloads };
}

describe('settling a directory before a reload', () => {
  it('reloads once the files have stayed as they are for the quiet period', () => {
    const { timers, files, s, reloads } = setUp();
    files.state = 'whole';
    s.changed();
    timers.advance(499);
    expect(reloads()).toBe(0);
    timers.advance(1);
    expect(reloads()).toBe(1);
    timers.advance(10_000);
    expect(reloads()).toBe(1);
  });

  it('waits on while a file is still being written, even when the writer sends no further change events', () => {
    const { timers, files, s, reloads } = setUp();
    s.changed(); // the first half of the file is there
    timers.advance(300);
    files.state = 'whole'; // the rest arrives, unnoticed by the watcher
    timers.advance(200);
    expect(reloads()).toBe(0);
    timers.advance(499);
    expect(reloads()).toBe(0);
    timers.advance(1);
    expect(reloads()).toBe(1);
  });

  it('starts the quiet period again on each change', () => {
    const { timers, s, reloads } = setUp();
    s.changed();
    timers.advance(400);
    s.changed();
    timers.advance(400);
    expect(reloads()).toBe(0);
    timers.advance(100);
    expect(reloads()).toBe(1);
  });

  it('reloads a directory that is written to all the time once the longest wait is over', () => {
    const { timers, files, s, reloads } = setUp({ maxWaitMs: 2000 });
    for (let i = 0; i < 19; i++) {
      files.state = `write ${i}`;
      s.changed();
      timers.advance(100);
    }
    expect(reloads()).toBe(0);
    files.state = 'write 19';
    s.changed();
    timers.advance(100);
    expect(reloads()).toBe(1);
  });

  it('does nothing once cancelled', () => {
    const { timers, s, reloads } = setUp();
    s.changed();
    s.cancel();
    timers.advance(10_000);
    expect(reloads()).toBe(0);
  });
});

describe('watching a directory', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('states YAML files by name, size and modification time, and nothing else', () => {
    const dir = tempDir();
    dirs.push(dir);
    writeFileSync(path.join(dir, 'a.yaml'), 'rules: []\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'x');
    const before = yamlFilesState(dir);
    expect(before).toMatch(/^a\.yaml 10 \d+(\.\d+)?$/);
    appendFileSync(path.join(dir, 'notes.txt'), 'y');
    expect(yamlFilesState(dir)).toBe(before);
    appendFileSync(path.join(dir, 'a.yaml'), '# more\n');
    expect(yamlFilesState(dir)).not.toBe(before);
    expect(yamlFilesState(path.join(dir, 'nope'))).toBe('(unreadable)');
  });

  it('reloads after a file in the directory changed', async () => {
    const dir = tempDir();
    dirs.push(dir);
    let reloads = 0;
    const stop = watchDirectory(dir, 'rules', createLogger('silent'), () => reloads++, { quietMs: 20 });
    try {
      writeFileSync(path.join(dir, 'a.yaml'), 'rules: []\n');
      await waitFor(async () => reloads > 0, 5000, 'a reload after the file was written');
    } finally {
      stop();
    }
  });
});
