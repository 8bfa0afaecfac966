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

  // Recovery codes (account/two-factor-codes.ejs): Copy all, Download (.txt) and Print, all from the page
  // itself — the file is made here from the codes shown, so no code ever travels in a URL or a request.
  function recoveryCodes() {
    const list = document.querySelector('[data-recovery-codes]');
    const actions = document.querySelector('[data-recovery-actions]');
    if (!list || !actions) return;
    const status = actions.querySelector('[data-recovery-status]');
    const codes = () => [...list.querySelectorAll('code')].map((c) => c.textContent.trim());
    const text = () =>
      `Folio recovery codes for ${location.host}\nEach code signs you in once. Keep them safe.\n\n${codes().join('\n')}\n`;
    const say = (message) => {
      if (status) status.textContent = message;
    };
    actions.querySelector('[data-recovery-copy]')?.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(codes().join('\n'));
        say('Copied all ten codes. Paste them into your password manager.');
      } catch {
        // No clipboard (permission, insecure context): select them, so the system's own Copy works.
        const range = document.createRange();
        range.selectNodeContents(list);
        const selection = getSelection();
        selection?.removeAllRanges();
        selection?.addRange(range);
        say('The codes are selected: copy them with your device’s Copy.');
      }
    });
    const download = actions.querySelector('[data-recovery-download]');
    download?.addEventListener('click', () => {
      const url = URL.createObjectURL(new Blob([text()], { type: 'text/plain' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = download.dataset.filename || 'folio-recovery-codes.txt';
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      say(`Downloaded ${link.download}.`);
    });
    actions.querySelector('[data-recovery-print]')?.addEventListener('click', () => window.print());
    actions.hidden = false;
  }

  // Tables in posts (folio.js has wrapped each in a scrolling box): a column of sentences keeps a readable
  // width instead of one or two words a line, and a box that scrolls says so under it.
  function proseTables() {
    for (const table of document.querySelectorAll('.post__body table')) {
      const rows = [...table.rows];
      const columns = Math.max(0, ...rows.map((r) => r.cells.length));
      for (let c = 0; c < columns; c++) {
        const cells = rows.map((r) => r.cells[c]).filter(Boolean);
        const words = cells.map((cell) => cell.textContent.trim().split(/\s+/).length);
        const average = words.reduce((a, b) => a + b, 0) / Math.max(1, words.length);
        if (average >= 5) for (const cell of cells) cell.classList.add('is-prose');
      }
      const box = table.closest('.table-scroll');
      if (box && box.scrollWidth > box.clientWidth + 1 && !box.nextElementSibling?.classList.contains('table-hint')) {
        const hint = document.createElement('p');
        hint.className = 'table-hint';
        hint.textContent = 'The table is wider than the screen: scroll it sideways to see the rest.';
        box.after(hint);
      }
    }
  }

  // The login pause (views/auth/login.ejs): the button is off until the time the page names, then back on.
  function pausedButtons() {
    for (const button of document.querySelectorAll('button[data-reopens-at]')) {
      const wait = Date.parse(button.dataset.reopensAt) - Date.now();
      const reopen = () => {
        button.disabled = false;
        button.removeAttribute('aria-describedby');
        const hint = document.getElementById('login-paused-hint');
        if (hint) hint.textContent = 'You can sign in with your password again.';
      };
      if (!(wait > 0)) reopen();
      else setTimeout(reopen, Math.min(wait, 2_147_000_000));
    }
  }

  // Copy buttons beside read-only fields (the Subscribe page's feed addresses).
  function copyButtons() {
    const status = document.querySelector('[data-copy-status]');
    for (const button of document.querySelectorAll('button[data-copy]')) {
      const field = document.getElementById(button.dataset.copy);
      if (!field) continue;
      button.hidden = false;
      button.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(field.value);
          if (status) status.textContent = 'Copied. Paste it into your feed reader.';
        } catch {
          field.select();
          if (status) status.textContent = 'Selected: copy it with your device’s Copy.';
        }
      });
    }
  }

  copyButtons();
  pausedButtons();
  proseTables();
  timeZoneFields();
  recoveryCodes();
  passwordToggles();
})();
