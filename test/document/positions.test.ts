import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { createRecorder, offsetOf, type RecordedTrace, type Trace } from '../../src/document/positions.js';
import { KUBERNETES_YAML_SCHEMA } from '../../src/load/yaml11.js';

/** Every JSON Pointer of a value (the root first). */
function pointers(value: unknown, base = ''): string[] {
  if (typeof value !== 'object' || value === null) return [base];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return [base, ...entries.flatMap(([k, v]) => pointers(v, `${base}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`))];
}

/** The events of a parse as js-yaml's listener reports them, kept as they come: the reference for the recorder. */
function createTrace(): { trace: RecordedTrace; listener: (type: string, state: { position: number; result: unknown }) => void } {
  const events: unknown[] = [];
  const listener = (type: string, state: { position: number; result: unknown }): void => {
    if (type === 'open') events.push(state.position);
    else events.push(typeof state.result === 'number' ? String(state.result) : state.result);
  };
  return { trace: { events }, listener };
}

/** One recorder for the whole file, as the loader keeps one (load/parse.ts). */
const recorder = createRecorder();

/** Parses with both: the reference events and the recorder's trace of the same parse. */
function parse(text: string): { value: unknown; recorded: RecordedTrace; trace: Trace } {
  const { trace: recorded, listener } = createTrace();
  recorder.start();
  const value: unknown = jsYaml.load(text, {
    schema: KUBERNETES_YAML_SCHEMA,
    listener: (type: string, state: { position: number; result: unknown }) => {
      listener(type, state);
      recorder.listener(type, state);
    },
  } as jsYaml.LoadOptions);
  return { value, recorded, trace: recorder.finish() };
}

describe('compact traces', () => {
  it('give the offsets the recorded events give, and keep them while the shared slabs fill', () => {
    // ~900 events a document: 2,500 documents fill the shared slabs (2^20 events each) twice over.
    const mismatches: string[] = [];
    const kept: { readonly d: number; readonly events: Int32Array; readonly copy: Int32Array }[] = [];
    let events = 0;
    for (let d = 0; d < 2500; d++) {
      const containers = Array.from({ length: 20 + (d % 7) }, (_, c) => `      - name: c${c}\n        image: "img:${d}"\n        ports:\n        - containerPort: ${8000 + c}\n          name: p${c}\n        args: [a, "${d}", {k: v}]\n`).join('');
      const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${d}\n  labels: {app: a${d}, tier: web}\nspec:\n  replicas: ${d % 5}\n  template:\n    spec:\n      containers:\n${containers}`;
      const { value, recorded, trace: compact } = parse(text);
      events += recorded.events.length;
      if (!('compact' in compact)) {
        mismatches.push(`${d}: not compacted`);
        continue;
      }
      kept.push({ d, events: compact.compact, copy: compact.compact.slice() });
      if (d % 50 !== 0) continue;
      for (const pointer of pointers(value)) {
        for (const at of ['key', 'value'] as const) {
          const expected = offsetOf(recorded, pointer, value, at);
          const actual = offsetOf(compact, pointer, value, at);
          if (actual !== expected) mismatches.push(`${d} ${pointer} ${at}: ${actual} ≠ ${expected}`);
        }
      }
    }
    for (const { d, events: now, copy } of kept) if (now.some((e, i) => e !== copy[i])) mismatches.push(`${d}: changed after later documents`);
    expect(mismatches).toEqual([]);
    expect(kept.length).toBe(2500);
    expect(events).toBeGreaterThan(2 * 2 ** 20);
  });

  it('stay apart: a document compacted after another does not change its offsets', () => {
    const first = parse('a: 1\nb:\n  c: [x, y]\n');
    const firstCompact = first.trace;
    const before = pointers(first.value).map((p) => offsetOf(firstCompact, p, first.value));
    parse('z:\n  - 1\n  - q: r\n');
    expect(pointers(first.value).map((p) => offsetOf(firstCompact, p, first.value))).toEqual(before);
    expect(before).toEqual([0, 0, 5, 10, 14, 17]);
  });

  it('are what the recorder gives while js-yaml parses, document after document, falling back where keys are out of order', () => {
    const texts = [
      'a: 1\nb:\n  c: [x, y]\n',
      // Integer-like keys come first in JavaScript: not compacted.
      'b: 1\n2: two\n1: one\n',
      // A merge key adds keys the source does not list there: not compacted.
      'base: &b {x: 1, y: 2}\nthing:\n  <<: *b\n  z: 3\n',
      // An alias of a mapping: its keys have no nodes of their own.
      'a: &m {p: 1}\nb: *m\n',
      'k: 1.0\nl: .nan\nm: [1, 2, {n: -0}]\n__proto__: {q: r}\nempty:\n',
      '- [a: b]\n- {c: d}\n',
      'x: 1\n',
    ];
    const compacted: boolean[] = [];
    const mismatches: string[] = [];
    for (const text of texts) {
      const { value, recorded, trace } = parse(text);
      // The recorder's own events are the reference's.
      recorder.start();
      jsYaml.load(text, { schema: KUBERNETES_YAML_SCHEMA, listener: recorder.listener } as jsYaml.LoadOptions);
      const again = recorder.recorded().events;
      expect(again.map((e) => (typeof e === 'object' && e !== null ? JSON.stringify(e) : e))).toEqual(recorded.events.map((e) => (typeof e === 'object' && e !== null ? JSON.stringify(e) : e)));
      compacted.push('compact' in trace);
      for (const pointer of pointers(value)) {
        for (const at of ['key', 'value'] as const) {
          const expected = offsetOf(recorded, pointer, value, at);
          const actual = offsetOf(trace, pointer, value, at);
          if (actual !== expected) mismatches.push(`${text} ${pointer} ${at}: ${actual} ≠ ${expected}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compacted).toEqual([true, false, false, false, true, true, true]);
  });
});
