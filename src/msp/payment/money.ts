// Amounts travel in minor units (cents) as integers; people read them as "EUR 12.34". The exponent is ISO 4217's
// number of minor-unit digits, 2 for every currency not listed.

/** ISO 4217 currencies whose minor unit is not 1/100. */
const MINOR_DIGITS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** Largest amount (minor units) anywhere in PnC Direct: well inside a 32-bit integer column on both dialects. */
export const MAX_AMOUNT_MINOR = 1_000_000_000;

export function minorDigits(currency: string): number {
  return MINOR_DIGITS[currency] ?? 2;
}

/** 1234, 'EUR' → 'EUR 12.34'; -5, 'EUR' → 'EUR -0.05'; 500, 'JPY' → 'JPY 500'. */
export function formatMinor(amountMinor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(amountMinor));
  if (digits === 0) return `${currency} ${sign}${abs}`;
  const text = String(abs).padStart(digits + 1, '0');
  return `${currency} ${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
