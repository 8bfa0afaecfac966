/**
 * Absolute links for mail, from PUBLIC_URL only. Never from the request's Host or X-Forwarded-Host: an
 * attacker who sends "forgot password" with `Host: evil.example` would otherwise have Folio mail the
 * victim a reset link to the attacker's site.
 */
export function publicLink(publicUrl: string, path: string): string {
  return new URL(path, `${publicUrl}/`).href;
}
