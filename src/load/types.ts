/** Closed set of load problem codes. */
export type ProblemCode =
  | 'yaml-syntax'
  | 'duplicate-key'
  | 'tab-indentation'
  | 'helm-template'
  | 'not-kubernetes'
  | 'wrong-type'
  | 'missing-field'
  | 'unknown-field'
  | 'misplaced-field'
  | 'invalid-value'
  | 'yaml11-boolean'
  | 'too-large'
  | 'alias-bomb'
  | 'too-deep'
  /** The same kind, namespace and name as another object of the input. */
  | 'duplicate-object';

/** A problem found while loading or validating input: data, never an exception. */
export interface LoadProblem {
  readonly code: ProblemCode;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** JSON Pointer inside the document, when the problem is inside a parsed document. */
  readonly path: string;
  /** The object the problem is in, when it is known. */
  readonly resource?: { readonly kind: string; readonly namespace: string; readonly name: string };
}

/** A note about input that was read but not analyzed (e.g. a kind rollsafe does not model). */
export interface LoadNote {
  readonly message: string;
  readonly file: string;
  readonly line: number;
}
