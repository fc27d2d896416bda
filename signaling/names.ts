/** Room and peer names, as the protocol restricts them. */
export const namePattern = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
const nameRegExp = new RegExp(namePattern);

export function isValidName(value: unknown): value is string {
  return typeof value === 'string' && nameRegExp.test(value);
}
