/**
 * Consent checks (PIPL art. 14: consent is specific to a purpose and recipient; art. 15: it
 * can be withdrawn; art. 29: sensitive PI such as genetic data needs separate consent).
 */
import type { Consent } from './types.js';

const CST_OFFSET = '+08:00'; // China Standard Time: bare dates in consent records are local dates
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Start of a validity period in ms; a bare date is 00:00 of that day in China Standard Time. */
export const validFromMs = (s: string): number => Date.parse(DATE_ONLY.test(s) ? `${s}T00:00:00${CST_OFFSET}` : s);

/** End of a validity period in ms (inclusive); a bare date runs to the end of that day in CST. */
export const validUntilMs = (s: string): number => Date.parse(DATE_ONLY.test(s) ? `${s}T23:59:59.999${CST_OFFSET}` : s);

/**
 * True when the consent is in force at `nowMs`: started, not expired, not withdrawn.
 *
 * @example
 * isConsentActive({ id: 'c1', patient: 'p001', purpose: 'payment', scope: ['general'], validUntil: '2027-12-31' }, Date.now());
 */
export const isConsentActive = (c: Consent, nowMs: number): boolean => {
  if (c.validFrom !== undefined && !(nowMs >= validFromMs(c.validFrom))) return false;
  if (c.validUntil !== undefined && !(nowMs <= validUntilMs(c.validUntil))) return false;
  if (c.withdrawnAt !== undefined && !(nowMs < validFromMs(c.withdrawnAt))) return false;
  return true;
};

/** True when some consent covers the patient, purpose, recipient (if asked) and scope (if asked). */
export const hasActiveConsent = (
  consents: readonly Consent[],
  query: { readonly purpose: string; readonly recipient?: string; readonly scope?: string },
  nowMs: number,
): boolean => {
  for (const c of consents) {
    if (c.purpose !== query.purpose) continue;
    if (query.recipient !== undefined && c.recipient !== query.recipient) continue;
    if (query.scope !== undefined && !c.scope.includes(query.scope)) continue;
    if (isConsentActive(c, nowMs)) return true;
  }
  return false;
};
