/**
 * A full garbage collection, now. V8 collects the old generation when its heap has grown by a
 * factor of what survived the last collection, not when a large batch of objects has just become
 * garbage; a caller that knows it has (check's input done one part at a time: engine/partition.ts)
 * asks for a collection so that the heap follows what is alive. `gc` is exposed at run time as
 * jest-leak-detector does (v8.setFlagsFromString('--expose-gc'), then `gc` read from a new context).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/** Collects when the heap in use is over `budget` bytes. */
export function collectGarbageAbove(budget: number): void {
  if (process.memoryUsage().heapUsed <= budget) return;
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
