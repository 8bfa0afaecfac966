/**
 * "jane.doe@example.com" → "ja•••@ex•••.com": enough for its owner to recognise, too little for anyone
 * who reads a notice (or a log line) to learn the address.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${keepStart(local)}@${keepStart(host)}${tld}`;
}

function keepStart(part: string): string {
  const chars = [...part];
  const shown = chars.length <= 3 ? 1 : 2;
  return `${chars.slice(0, shown).join('')}•••`;
}
