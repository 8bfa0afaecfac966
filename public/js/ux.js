// Small improvements for issue 25 (time zones, password fields, recovery codes), on pages that work without
// them. Loaded with `defer` next to folio.js; the Content-Security-Policy allows no inline script.
(() => {
  'use strict';

  // The browser's time zone goes with the sign-in and register forms: the account remembers it, so a
  // scheduled post, a page and a mail all speak the writer's time (src/time/time-zone.ts validates it).
  function timeZoneFields() {
    let zone = '';
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
    } catch {
      return;
    }
    for (const input of document.querySelectorAll('input[data-time-zone]')) input.value = zone;
  }

  // Show/Hide on every password field: a real button (keyboard, screen reader) whose name says what it will do
  // ("Show password", "Hide new password"), as GOV.UK's; the field's type flips, nothing leaves the page.
  // Back to hidden before the form is sent, so a browser that offers to save it sees a password field.
  function passwordToggles() {
    for (const input of document.querySelectorAll('input[type="password"]')) {
      if (input.dataset.toggle === 'done' || !input.id) continue;
      input.dataset.toggle = 'done';
      const wrap = document.createElement('div');
      wrap.className = 'password-input';
      input.replaceWith(wrap);
      wrap.append(input);
      const label = document.querySelector(`label[for="${input.id}"]`);
      const what = label ? label.textContent.trim().toLowerCase() : 'password';
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'password-toggle';
      button.setAttribute('aria-controls', input.id);
      const verb = document.createElement('span');
      const rest = document.createElement('span');
      rest.className = 'visually-hidden';
      rest.textContent = ` ${what}`;
      button.append(verb, rest);
      const show = (visible) => {
        input.type = visible ? 'text' : 'password';
        verb.textContent = visible ? 'Hide' : 'Show';
      };
      show(false);
      button.addEventListener('click', () => show(input.type === 'password'));
      wrap.append(button);
      input.form?.addEventListener('submit', () => show(false));
    }
  }

  timeZoneFields();
  passwordToggles();
})();
