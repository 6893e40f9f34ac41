// Payment tokens and account ids never appear in full in MSP traces: the first five and the last character stay
// (enough to tell two apart in support), the rest is hidden. Same approach as the charger's maskEmaid, copied because
// parties do not import each other.
export function maskPaymentIdentifier(id: string): string {
  const plain = id.replace(/-/g, '');
  if (plain.length < 8) return '*'.repeat(plain.length);
  return `${plain.slice(0, 5)}${'*'.repeat(plain.length - 6)}${plain.slice(-1)}`;
}
