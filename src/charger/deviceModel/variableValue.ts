// Checks an attribute value against a variable's data type and limits and gives its normal form (booleans "true" /
// "false", integers without leading zeros, list members joined by ","). Messages never quote the value: it may be a
// password.
import { MAX_ATTRIBUTE_VALUE_LENGTH, type VariableDefinition } from './variableCatalogue.js';

/** OCPP 2.0.1 reason codes (StatusInfoType.reasonCode) used for refused values. */
export type ValueReasonCode = 'InvalidValue' | 'ValueOutOfRange';

export type ValueCheck =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reasonCode: ValueReasonCode; readonly detail: string };

const INTEGER = /^-?\d{1,16}$/;
const DECIMAL = /^-?\d{1,20}(\.\d{1,20})?$/;
// RFC 3339 date-time (section 5.6), with a mandatory offset.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
/** C0 and C1 control characters and DEL: not text. */
function hasControlCharacter(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

const bad = (detail: string): ValueCheck => ({ ok: false, reasonCode: 'InvalidValue', detail });
const outOfRange = (detail: string): ValueCheck => ({ ok: false, reasonCode: 'ValueOutOfRange', detail });

export function checkValue(d: VariableDefinition, raw: string): ValueCheck {
  if (raw.length > MAX_ATTRIBUTE_VALUE_LENGTH) return outOfRange(`longer than ${MAX_ATTRIBUTE_VALUE_LENGTH} characters`);
  switch (d.dataType) {
    case 'boolean': {
      const v = raw.toLowerCase();
      return v === 'true' || v === 'false' ? { ok: true, value: v } : bad('not a boolean (true or false)');
    }
    case 'integer': {
      if (!INTEGER.test(raw)) return bad('not an integer');
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) return outOfRange('integer too large');
      return withinLimits(d, n) ?? { ok: true, value: String(n) };
    }
    case 'decimal': {
      if (!DECIMAL.test(raw)) return bad('not a decimal number');
      const n = Number(raw);
      if (!Number.isFinite(n)) return outOfRange('decimal too large');
      return withinLimits(d, n) ?? { ok: true, value: String(n) };
    }
    case 'dateTime': {
      const ms = DATE_TIME.test(raw) ? Date.parse(raw) : Number.NaN;
      return Number.isNaN(ms) ? bad('not an RFC 3339 date-time') : { ok: true, value: new Date(ms).toISOString() };
    }
    case 'string':
      return checkString(d, raw);
    case 'OptionList':
      return (d.valuesList ?? []).includes(raw) ? { ok: true, value: raw } : bad(`not one of ${(d.valuesList ?? []).join(', ')}`);
    case 'MemberList':
    case 'SequenceList':
      return checkList(d, raw);
  }
}

function withinLimits(d: VariableDefinition, n: number): ValueCheck | undefined {
  if (d.minLimit !== undefined && n < d.minLimit) return outOfRange(`below the minimum ${d.minLimit}`);
  if (d.maxLimit !== undefined && n > d.maxLimit) return outOfRange(`above the maximum ${d.maxLimit}`);
  return undefined;
}

function checkString(d: VariableDefinition, raw: string): ValueCheck {
  if (hasControlCharacter(raw)) return bad('contains control characters');
  const length = [...raw].length;
  if (d.minLength !== undefined && length < d.minLength) return outOfRange(`shorter than ${d.minLength} characters`);
  if (d.maxLength !== undefined && length > d.maxLength) return outOfRange(`longer than ${d.maxLength} characters`);
  if (d.pattern && !d.pattern.test(raw)) return bad('does not have the required form');
  return { ok: true, value: raw };
}

/** MemberList: a set of allowed values; SequenceList: an ordered list of them. Both comma separated, non-empty, no repeats. */
function checkList(d: VariableDefinition, raw: string): ValueCheck {
  const allowed = d.valuesList ?? [];
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) return bad('empty list member');
  const unknown = items.filter((s) => !allowed.includes(s));
  if (unknown.length > 0) return bad(`members must be among ${allowed.join(', ')}`);
  if (new Set(items).size !== items.length) return bad('repeated list member');
  return { ok: true, value: items.join(',') };
}
