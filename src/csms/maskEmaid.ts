// eMAIDs never appear in full in CSMS logs or traces: country and provider stay (they route support questions), the
// contract instance is hidden. (The charger has the same rule; parties do not import each other.)
export function maskEmaid(emaid: string): string {
  const plain = emaid.replace(/-/g, '');
  if (plain.length < 8) return '*'.repeat(plain.length);
  return `${plain.slice(0, 5)}${'*'.repeat(plain.length - 6)}${plain.slice(-1)}`;
}
