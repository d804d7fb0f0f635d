/** Each way a command can fail ends in a RollsafeError with its own code, file and message. */
import { describe, expect, it } from 'vitest';
import { writeAtomically, type FileWriter } from '../src/cli/write-file.js';
import { parseConfig } from '../src/engine/config.js';
import { ERROR_CODES, fileErrorReason, isRollsafeError, RollsafeError, type ErrorCode } from '../src/errors.js';
import { applyOperation } from '../src/fix/patch.js';
import { readSources } from '../src/load/files.js';
import { resolveProfile, withK8sVersion } from '../src/profiles/load.js';
import { findBuiltinProfile } from '../src/profiles/builtin.js';
import { readLibrary } from '../src/report/html/assets.js';
import { parseLabFile } from '../src/report/html/lab.js';
import { parseReview } from '../src/server/review.js';

interface Caught {
  readonly code: ErrorCode;
  readonly message: string;
  readonly file: string | undefined;
  readonly pointer?: string;
}

function caught(run: () => unknown): Caught {
  try {
    run();
  } catch (error: unknown) {
    if (!isRollsafeError(error)) throw error;
    return { code: error.code, message: error.message, file: error.file, ...(error.pointer === undefined ? {} : { pointer: error.pointer }) };
  }
  throw new Error('nothing was thrown');
}

const generic = findBuiltinProfile('generic');
if (!generic) throw new Error('no generic profile');

const unwritable: FileWriter = {
  realpath: () => {
    throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
  },
  mode: () => 0o644,
  writeFile: () => {
    throw Object.assign(new Error('denied'), { code: 'EACCES' });
  },
  rename: () => undefined,
  remove: () => undefined,
};

describe('RollsafeError', () => {
  it('carries its code, message and details, and is recognized by code', () => {
    const error = new RollsafeError('invalid-config', 'c.yaml: failOn must be error, warning, info or none', { file: 'c.yaml', pointer: '/failOn', hint: 'see the README' });
    expect([error.name, error.code, error.message, error.file, error.pointer, error.hint, error.output]).toEqual(['RollsafeError', 'invalid-config', 'c.yaml: failOn must be error, warning, info or none', 'c.yaml', '/failOn', 'see the README', '']);
    expect(isRollsafeError(error)).toBe(true);
    expect(isRollsafeError(error, 'invalid-config', 'usage')).toBe(true);
    expect(isRollsafeError(error, 'usage')).toBe(false);
    expect(isRollsafeError(new Error('a bug'))).toBe(false);
    expect(isRollsafeError({ code: 'invalid-config' })).toBe(false);
  });

  it('has a description for every code', () => {
    for (const [code, description] of Object.entries(ERROR_CODES)) expect(description.length, code).toBeGreaterThan(10);
  });
});

describe('the code of each failure', () => {
  it.each<[string, () => unknown, Caught]>([
    ['a missing input file', () => readSources(['no/such/file.yaml'], () => ''), { code: 'unreadable-input', message: 'no/such/file.yaml: no such file or directory', file: 'no/such/file.yaml' }],
    ['a config file with an unknown key', () => parseConfig('colour: red\n', 'c.yaml'), { code: 'invalid-config', message: 'c.yaml: unknown key `colour`; allowed: profile, k8sVersion, failOn, rules', file: 'c.yaml', pointer: '/colour' }],
    ['a config file with a rule of an unknown level', () => parseConfig('rules:\n  pdb-missing: loud\n', 'c.yaml'), { code: 'invalid-config', message: 'c.yaml: rules.pdb-missing: use error, warning, info or off (quote "off")', file: 'c.yaml', pointer: '/rules/pdb-missing' }],
    ['an unknown profile name', () => resolveProfile('no-such-cloud', () => ''), { code: 'unknown-profile', message: expect.stringMatching(/^unknown profile "no-such-cloud"/) as unknown as string, file: undefined }],
    [
      'an unreadable profile file',
      () =>
        resolveProfile('p.yaml', () => {
          throw Object.assign(new Error('gone'), { code: 'ENOENT' });
        }),
      { code: 'unreadable-profile', message: 'cannot read profile file p.yaml: no such file', file: 'p.yaml' },
    ],
    ['a Kubernetes version that is not 1.<minor>', () => withK8sVersion(generic, 'v1.30'), { code: 'invalid-version', message: 'invalid Kubernetes version "v1.30": expected 1.<minor>, e.g. 1.30', file: undefined }],
    ['an output file that cannot be written', () => writeAtomically('/out/x.yaml', 'x', unwritable), { code: 'unwritable-output', message: '/out/x.yaml: cannot write (permission denied)', file: undefined }],
    ['a chart library that is not installed', () => readLibrary('no-such-chart-library'), { code: 'missing-library', message: 'the chart library no-such-chart-library is not installed (reinstall rollsafe: npm ci)', file: undefined }],
    ['a fix on the whole document', () => applyOperation({}, { op: 'remove', path: '' }), { code: 'unsafe-fix', message: 'an operation on the whole document', file: undefined }],
    ['a lab file that is not JSON', () => parseLabFile('{', 'lab.json'), { code: 'invalid-lab-file', message: expect.stringMatching(/^lab\.json: not JSON: /) as unknown as string, file: 'lab.json' }],
    ['a lab file that is not a lab output', () => parseLabFile('{"workloads":[{"resource":"Deployment/default/web"}]}', 'lab.json'), { code: 'invalid-lab-file', message: 'lab.json: not the output of `rollsafe lab -f json`: /comparison should be an array', file: 'lab.json', pointer: '/comparison' }],
    ['an admission review of another kind', () => parseReview({ kind: 'Pod' }), { code: 'bad-review', message: 'expected kind AdmissionReview, got "Pod"', file: undefined }],
  ])('%s', (_what, run, expected) => {
    expect(caught(run)).toEqual(expected);
  });
});

describe('fileErrorReason: why a file could not be read, in words', () => {
  const withCode = (code: string): Error => Object.assign(new Error(`${code}: raw message, open 'x'`), { code });
  it.each([
    ['ENOENT', undefined, 'no such file'],
    ['ENOENT', 'no such file or directory', 'no such file or directory'],
    ['EACCES', undefined, 'permission denied'],
    ['EPERM', undefined, 'permission denied'],
    ['EISDIR', undefined, 'is a directory'],
    ['EMFILE', undefined, "EMFILE: raw message, open 'x'"],
  ])('%s (missing: %s) → %s', (code, missing, expected) => {
    expect(fileErrorReason(withCode(code), missing)).toBe(expected);
  });
  it('a thrown non-error is said as itself', () => {
    expect(fileErrorReason('boom')).toBe('boom');
  });
});
