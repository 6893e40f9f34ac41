// eMAIDs never appear in full in logs or traces of any party: country and provider stay (they route support
// questions), the contract instance is hidden. One rule for all parties, so a masked eMAID reads the same everywhere.
export function maskEmaid(emaid: string): string {
  const plain = emaid.replace(/-/g, '');
  if (plain.length < 8) return '*'.repeat(plain.length);
  return `${plain.slice(0, 5)}${'*'.repeat(plain.length - 6)}${plain.slice(-1)}`;
}
