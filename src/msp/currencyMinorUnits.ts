// Amounts in the smallest unit of a currency (ISO 4217 exponent: EUR 2, JPY 0, KWD 3), as the card processor takes
// them. The exponent comes from the runtime's ICU data; an unknown code falls back to 2.
const exponents = new Map<string, number>();

export function currencyExponent(currency: string): number {
  const known = exponents.get(currency);
  if (known !== undefined) return known;
  let exponent = 2;
  if (/^[A-Z]{3}$/.test(currency)) {
    try {
      exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  if (exponents.size < 512) exponents.set(currency, exponent);
  return exponent;
}

/** 12.345 EUR → 1235 (rounded half away from zero). */
export function toMinorUnits(amount: number, currency: string): number {
  const scaled = amount * 10 ** currencyExponent(currency);
  return Math.sign(scaled) * Math.round(Math.abs(scaled) + Number.EPSILON * Math.abs(scaled));
}
