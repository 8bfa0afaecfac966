/**
 * Every mail Folio sends: its template (views/mail/<name>.text.ejs and .html.ejs) and the data it needs.
 * Typed, so a handler cannot send a mail its template cannot render.
 */
export interface MailTemplates {
  'verify-email': { username: string; email: string; link: string; expiresIn: string };
  'email-change-notice': { username: string; maskedNewEmail: string; accountUrl: string };
  'reset-password': { username: string; link: string; expiresIn: string; forgotUrl: string };
  'password-changed': { username: string; when: string; forgotUrl: string };
  'new-device': { username: string; device: string; ip: string; when: string; link: string; expiresIn: string };
  'deletion-scheduled': { username: string; purgeOn: string; link: string };
  'factor-changed': { username: string; what: string; when: string; device: string; ip: string; securityUrl: string };
  'codes-locked': {
    username: string;
    failures: number;
    pausedFor: string;
    when: string;
    device: string;
    ip: string;
    forgotUrl: string;
    securityUrl: string;
  };
  invitation: { inviter: string; role: string; siteTitle: string; link: string; expiresIn: string };
}

export type MailTemplateName = keyof MailTemplates;

export const SUBJECTS: { readonly [K in MailTemplateName]: (data: MailTemplates[K]) => string } = {
  'verify-email': () => 'Confirm your address for Folio',
  'email-change-notice': () => 'Your Folio address is being changed',
  'reset-password': () => 'Reset your Folio password',
  'password-changed': () => 'Your Folio password was changed',
  'new-device': () => 'New sign-in to your Folio account',
  'deletion-scheduled': () => 'Your Folio account will be deleted',
  'factor-changed': (data) => `Folio sign-in settings: ${data.what.toLowerCase()}`,
  'codes-locked': () => 'Someone has your Folio password',
  invitation: (data) => `${data.inviter} invites you to write on ${data.siteTitle}`,
};

/** One mail to send: the template is rendered when it is delivered, off the request path. */
export type OutgoingMail = {
  [K in MailTemplateName]: { readonly to: string; readonly template: K; readonly data: MailTemplates[K] };
}[MailTemplateName];

export interface RenderedMail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** "30 minutes", "24 hours": how long a link lasts, for the mail's text. */
export function describeDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}
