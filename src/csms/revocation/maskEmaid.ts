// eMAIDs never appear in full in CSMS traces: country and provider stay (they route support questions), the
// contract instance is hidden. (Same rule as the charger's; parties do not import each other.)
export function maskEmaid(emaid: string): string {
  const plain = emaid.replace(/-/g, '');
  if (plain.length < 8) return '*'.repeat(plain.length);
  return `${plain.slice(0, 5)}${'*'.repeat(plain.length - 6)}${plain.slice(-1)}`;
}
