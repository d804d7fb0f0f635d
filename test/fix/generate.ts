/**
 * Generated manifests for the fixer's property tests: workloads and Services with the hazards the
 * rules fix (no probe, no preStop, short grace, Recreate, no drain annotations, HPA + replicas,
 * no PDB) and the cases where a fix must hold back (UDP ports, liveness probes on the served port,
 * empty, missing or foreign selectors, grace periods below the LB's drain minimum), written in many YAML styles (indent 2 or 4, `- ` flush or indented, quote styles, flow
 * mappings, comments before keys and after values, CRLF, `---` placement).
 */
import fc from 'fast-check';

/** How the YAML text is written. */
interface YamlStyle {
  readonly indent: 2 | 4;
  readonly indentSeq: boolean;
  readonly crlf: boolean;
  readonly quotes: 'plain' | 'single' | 'double';
  readonly flowMaps: boolean;
  readonly flowCommands: boolean;
  /** 0: no comments; n: a comment before about one key in n and after one value in n. */
  readonly commentEvery: number;
  readonly leadingSeparator: boolean;
  readonly finalNewline: boolean;
  readonly seed: number;
}

const styleArbitrary: fc.Arbitrary<YamlStyle> = fc.record({
  indent: fc.constantFrom(2 as const, 4 as const),
  indentSeq: fc.boolean(),
  crlf: fc.boolean(),
  quotes: fc.constantFrom('plain' as const, 'single' as const, 'double' as const),
  flowMaps: fc.boolean(),
  flowCommands: fc.boolean(),
  commentEvery: fc.constantFrom(0, 2, 3, 5),
  leadingSeparator: fc.boolean(),
  finalNewline: fc.boolean(),
  seed: fc.nat(),
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const IMAGES = ['nginx:1.25', 'nginx:1.17', 'gcr.io/distroless/static:nonroot', 'envoyproxy/envoy:v1.28', 'node:20', 'registry.example.com/team/api:2.1'];

const container = fc.record(
  {
    image: fc.constantFrom(...IMAGES),
    port: fc.option(fc.constantFrom(80, 8080, 9090), { nil: undefined }),
    namedPort: fc.boolean(),
    protocol: fc.constantFrom('unset', 'TCP', 'UDP'),
    readiness: fc.boolean(),
    liveness: fc.constantFrom('none', 'tcp', 'tcp-1s', 'http'),
    lifecycle: fc.constantFrom('none', 'empty', 'exec', 'sleep', 'shell'),
    preStopSeconds: fc.integer({ min: 1, max: 60 }),
  },
  { requiredKeys: ['image', 'namedPort', 'protocol', 'readiness', 'liveness', 'lifecycle', 'preStopSeconds'] },
);

const workload = fc.record(
  {
    kind: fc.constantFrom('Deployment', 'StatefulSet'),
    replicas: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    strategy: fc.constantFrom('none', 'Recreate', 'rolling-all', 'rolling-safe'),
    containers: fc.array(container, { minLength: 1, maxLength: 2 }),
    grace: fc.option(fc.constantFrom(0, 5, 10, 30, 120), { nil: undefined }),
    selector: fc.constantFrom('labels', 'labels', 'expressions', 'empty', 'absent', 'other-pods'),
    annotations: fc.constantFrom('absent', 'null', 'empty', 'some'),
  },
  { requiredKeys: ['kind', 'strategy', 'containers', 'selector', 'annotations'] },
);

const modelArbitrary = fc.record(
  {
    workload,
    service: fc.option(
      fc.record({
        type: fc.constantFrom('LoadBalancer', 'ClusterIP', 'NodePort'),
        targetPort: fc.constantFrom<number | string>(80, 8080, 'http'),
        local: fc.boolean(),
        annotations: fc.constantFrom('absent', 'null', 'empty', 'some'),
      }),
      { nil: undefined },
    ),
    hpa: fc.boolean(),
    pdb: fc.boolean(),
    serviceFirst: fc.boolean(),
  },
  { requiredKeys: ['workload', 'hpa', 'pdb', 'serviceFirst'] },
);

type Model = typeof modelArbitrary extends fc.Arbitrary<infer T> ? T : never;

function annotationsValue(kind: string): Json | undefined {
  if (kind === 'absent') return undefined;
  if (kind === 'null') return null;
  if (kind === 'empty') return {};
  return { 'example.com/owner': 'team-a', 'example.com/on-call': 'yes' };
}

function metadata(name: string, annotations: string): { [key: string]: Json } {
  const value = annotationsValue(annotations);
  return value === undefined ? { name, labels: { app: name } } : { name, labels: { app: name }, annotations: value };
}

/** The objects of a model, as plain values. */
function objectsOf(model: Model): Array<{ [key: string]: Json }> {
  const w = model.workload;
  const containers: Json[] = w.containers.map((c, i) => {
    const out: { [key: string]: Json } = { name: `c${i}`, image: c.image };
    if (c.port !== undefined) {
      const port: { [key: string]: Json } = c.namedPort ? { name: 'http', containerPort: c.port } : { containerPort: c.port };
      if (c.protocol !== 'unset') port['protocol'] = c.protocol;
      out['ports'] = [port];
    }
    if (c.readiness && c.port !== undefined) out['readinessProbe'] = { tcpSocket: { port: c.port }, periodSeconds: 5 };
    if (c.liveness === 'tcp' && c.port !== undefined) out['livenessProbe'] = { tcpSocket: { port: c.port } };
    if (c.liveness === 'tcp-1s' && c.port !== undefined) out['livenessProbe'] = { tcpSocket: { port: c.port }, periodSeconds: 1, failureThreshold: 1 };
    if (c.liveness === 'http' && c.port !== undefined) out['livenessProbe'] = { httpGet: { path: '/healthz', port: c.port } };
    if (c.lifecycle === 'empty') out['lifecycle'] = {};
    if (c.lifecycle === 'exec') out['lifecycle'] = { preStop: { exec: { command: ['sleep', String(c.preStopSeconds)] } } };
    if (c.lifecycle === 'sleep') out['lifecycle'] = { preStop: { sleep: { seconds: c.preStopSeconds } } };
    if (c.lifecycle === 'shell') out['lifecycle'] = { preStop: { exec: { command: ['/bin/sh', '-c', `sleep ${c.preStopSeconds}`] } } };
    return out;
  });
  const podSpec: { [key: string]: Json } = { containers };
  if (w.grace !== undefined) podSpec['terminationGracePeriodSeconds'] = w.grace;
  const spec: { [key: string]: Json } = {};
  if (w.replicas !== undefined) spec['replicas'] = w.replicas;
  if (w.kind === 'StatefulSet') spec['serviceName'] = 'web';
  if (w.kind === 'Deployment' && w.strategy === 'Recreate') spec['strategy'] = { type: 'Recreate' };
  if (w.kind === 'Deployment' && w.strategy === 'rolling-all') spec['strategy'] = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '100%' } };
  if (w.kind === 'Deployment' && w.strategy === 'rolling-safe') spec['strategy'] = { rollingUpdate: { maxUnavailable: 0 } };
  if (w.selector === 'labels') spec['selector'] = { matchLabels: { app: 'web' } };
  if (w.selector === 'expressions') spec['selector'] = { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] };
  if (w.selector === 'empty') spec['selector'] = {};
  if (w.selector === 'other-pods') spec['selector'] = { matchLabels: { app: 'api' } };
  spec['template'] = { metadata: { labels: { app: 'web', tier: 'front' } }, spec: podSpec };
  const objects: Array<{ [key: string]: Json }> = [{ apiVersion: 'apps/v1', kind: w.kind, metadata: metadata('web', w.annotations), spec }];
  const s = model.service;
  if (s) {
    const serviceSpec: { [key: string]: Json } = { type: s.type, selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: s.targetPort }] };
    if (s.local && s.type !== 'ClusterIP') serviceSpec['externalTrafficPolicy'] = 'Local';
    const service = { apiVersion: 'v1', kind: 'Service', metadata: metadata('web', s.annotations), spec: serviceSpec };
    if (model.serviceFirst) objects.unshift(service);
    else objects.push(service);
  }
  if (model.hpa) {
    objects.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: w.kind, name: 'web' }, minReplicas: 2, maxReplicas: 5 },
    });
  }
  if (model.pdb) objects.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web-pdb' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } });
  return objects;
}

/** A small seeded random source (mulberry32), so one style seed places comments the same way. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLAIN = /^[A-Za-z/][\w./-]*$/;
const NOT_PLAIN = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

/** Writes YAML text for values in a style. */
class Writer {
  private readonly next: () => number;
  private comments = 0;

  constructor(private readonly style: YamlStyle) {
    this.next = random(style.seed);
  }

  private chance(): boolean {
    return this.style.commentEvery > 0 && this.next() < 1 / this.style.commentEvery;
  }

  private scalar(value: Json): string {
    if (typeof value !== 'string') return JSON.stringify(value);
    const plain = PLAIN.test(value) && !NOT_PLAIN.test(value);
    if (this.style.quotes === 'double' || (!plain && this.style.quotes === 'plain')) return JSON.stringify(value);
    if (this.style.quotes === 'single') return `'${value.replace(/'/g, "''")}'`;
    return value;
  }

  private flow(value: Json): string {
    if (Array.isArray(value)) return `[${value.map((v) => this.flow(v)).join(', ')}]`;
    if (typeof value === 'object' && value !== null) return `{${Object.entries(value).map(([k, v]) => `${k}: ${this.flow(v)}`).join(', ')}}`;
    return this.scalar(value);
  }

  private trailing(): string {
    return this.chance() ? ` # note ${++this.comments}` : '';
  }

  private isFlowCandidate(key: string, value: Json): boolean {
    if (Array.isArray(value)) return key === 'command' && this.style.flowCommands;
    return typeof value === 'object' && value !== null && this.style.flowMaps && ['labels', 'matchLabels', 'selector', 'tcpSocket', 'sleep'].includes(key) && Object.values(value).every((v) => typeof v !== 'object' || v === null);
  }

  mapping(value: { [key: string]: Json }, indent: number, out: string[], firstHasDash = false): void {
    const pad = ' '.repeat(indent);
    Object.entries(value).forEach(([key, v], i) => {
      if (this.chance() && !(firstHasDash && i === 0)) out.push(`${pad}# about ${key} ${++this.comments}`);
      if (Array.isArray(v) && v.length > 0 && !this.isFlowCandidate(key, v)) {
        out.push(`${pad}${key}:${this.trailing()}`);
        this.sequence(v, this.style.indentSeq ? indent + this.style.indent : indent, out);
      } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0 && !this.isFlowCandidate(key, v)) {
        out.push(`${pad}${key}:${this.trailing()}`);
        this.mapping(v, indent + this.style.indent, out);
      } else if (v === null) {
        out.push(`${pad}${key}:${this.trailing()}`);
      } else {
        out.push(`${pad}${key}: ${typeof v === 'object' ? this.flow(v) : this.scalar(v)}${this.trailing()}`);
      }
    });
  }

  sequence(value: Json[], indent: number, out: string[]): void {
    const pad = ' '.repeat(indent);
    for (const item of value) {
      if (typeof item === 'object' && item !== null && !Array.isArray(item) && Object.keys(item).length > 0) {
        const lines: string[] = [];
        this.mapping(item, indent + 2, lines, true);
        lines[0] = `${pad}- ${(lines[0] ?? '').slice(indent + 2)}`;
        out.push(...lines);
      } else {
        out.push(`${pad}- ${typeof item === 'object' && item !== null ? this.flow(item) : this.scalar(item)}${this.trailing()}`);
      }
    }
  }
}

/** YAML text of documents in a style. */
function writeYaml(documents: ReadonlyArray<{ [key: string]: Json }>, style: YamlStyle): string {
  const writer = new Writer(style);
  const parts = documents.map((doc, i) => {
    const lines: string[] = [];
    if (i > 0 || style.leadingSeparator) lines.push('---');
    if (style.commentEvery > 0) lines.push(`# document ${i + 1}`);
    writer.mapping(doc, 0, lines);
    return lines.join('\n');
  });
  const text = parts.join('\n') + (style.finalNewline ? '\n' : '');
  return style.crlf ? text.replace(/\n/g, '\r\n') : text;
}

/** A generated manifest file: its objects and their YAML text. */
export interface Generated {
  readonly objects: ReadonlyArray<{ [key: string]: Json }>;
  readonly text: string;
}

export const manifestArbitrary: fc.Arbitrary<Generated> = fc.tuple(modelArbitrary, styleArbitrary).map(([model, style]) => {
  const objects = objectsOf(model);
  return { objects, text: writeYaml(objects, style) };
});
