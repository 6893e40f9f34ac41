// -20 RationalNumberType (Value × 10^Exponent, Value within xs:short): what every -20 power, voltage and current is.
import type { iso20CommonTypes } from '../../../exi/index.js';

export function rational(value: number): iso20CommonTypes.RationalNumberType {
  let exponent = 0;
  let v = value;
  while (Math.abs(v) > 32767 && exponent < 127) {
    v /= 10;
    exponent++;
  }
  return { Exponent: exponent, Value: Math.round(v) };
}

export function rationalValue(r: iso20CommonTypes.RationalNumberType): number {
  return r.Value * 10 ** r.Exponent;
}
