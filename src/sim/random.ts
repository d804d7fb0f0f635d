/**
 * Seeded randomness for the simulator: the same seed gives the same numbers on every machine.
 * Latencies are log-normal, fitted to a profile's p50 and p99; request counts are Poisson.
 */
import type { Latency } from '../profiles/types.js';

/** z of the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263478740408408;

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
  /**
   * A latency drawn from a log-normal distribution with the given p50 and p99, capped at p99: a
   * profile's p99 is the slowest a layer is modelled to take. The fast side is not clamped: a
   * kube-proxy with p50 1 s draws well under a second as often as its distribution says.
   */
  latency(latency: Latency): number;
  /** A Poisson-distributed count with the given mean. */
  poisson(mean: number): number;
  /** Exponential with the given rate (mean 1 / rate). */
  exponential(rate: number): number;
}

/** sfc32 seeded through splitmix32: small, fast and well distributed. */
export function createRandom(seed: number): Random {
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    let u = next();
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const exponential = (rate: number): number => {
    let u = next();
    while (u === 0) u = next();
    return -Math.log(u) / rate;
  };
  const poisson = (mean: number): number => {
    if (!(mean > 0)) return 0;
    if (mean < 30) {
      // Knuth: multiply uniforms until the product drops below e^-mean.
      const limit = Math.exp(-mean);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    }
    return ptrs(mean, next);
  };
  return {
    next,
    normal,
    exponential,
    poisson,
    latency(latency: Latency): number {
      if (latency.p50 <= 0) return Math.max(0, latency.p99 > 0 ? latency.p99 * next() : 0);
      if (latency.p99 <= latency.p50) return latency.p50;
      const sigma = (Math.log(latency.p99) - Math.log(latency.p50)) / Z99;
      const z = normal();
      // At the cap, p99 itself (not p50·e^(σ·z99), which rounds a hair below it).
      return z >= Z99 ? latency.p99 : latency.p50 * Math.exp(sigma * z);
    },
  };
}

/** Hörmann's transformed rejection with squeeze (PTRS) for Poisson means ≥ 10. */
function ptrs(mean: number, next: () => number): number {
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = next() - 0.5;
    const v = next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logFactorial(k)) return k;
  }
}

function logFactorial(k: number): number {
  if (k < 2) return 0;
  // Stirling series; exact enough for k ≥ 2 at double precision for the rejection test.
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}
