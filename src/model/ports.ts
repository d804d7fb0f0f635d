/** Port numbers and names as the API server validates them (apimachinery pkg/util/validation). */

/** IsValidPortNum: an integer in 1–65535. */
export function validPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/**
 * IsValidPortName: 1–15 characters of `a-z`, `0-9` and `-`, at least one letter, no `--`, not
 * starting or ending with `-`. A string of digits (`"8080"`) is not a port name: the API server
 * rejects it where a port may be a number or a name (ValidatePortNumOrName).
 */
export function validPortName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 15 && /^[-a-z0-9]+$/.test(value) && /[a-z]/.test(value) && !value.includes('--') && !value.startsWith('-') && !value.endsWith('-');
}
