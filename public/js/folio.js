// Folio's one script: small improvements on pages that work without it. Loaded with `defer` from
// /js/folio.js (the Content-Security-Policy allows scripts from this origin only, never inline).
(() => {
  'use strict';

  // GOV.UK error summary: take focus on load so a screen reader announces the problems first; a link in it
  // moves focus to the field itself (a bare #fragment would only scroll) and keeps its label in view.
  function errorSummary() {
    const summary = document.querySelector('[data-error-summary]');
    if (!summary) return;
    summary.focus();
    // A URL with a #fragment (the comment form posts to …#comments) scrolls there after load, which takes focus
    // away again in Chromium: give it back once the page has settled.
    window.addEventListener('load', () => {
      if (document.activeElement === document.body || document.activeElement === null) summary.focus();
    });
    summary.addEventListener('click', (event) => {
      const link = event.target instanceof Element ? event.target.closest('a[href^="#"]') : null;
      if (!link) return;
      const input = document.getElementById(link.getAttribute('href').slice(1));
      if (!input) return;
      event.preventDefault();
      const label = document.querySelector(`label[for="${input.id}"]`);
      (label || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  // Dates: the server writes them in UTC with the zone named; here they are said in the reader's own zone.
  function localTimes() {
    let dateTime;
    let clock;
    let day;
    try {
      const parts = { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
      const date = { day: 'numeric', month: 'long', year: 'numeric' };
      dateTime = new Intl.DateTimeFormat('en-GB', { ...date, ...parts });
      clock = new Intl.DateTimeFormat('en-GB', parts);
      day = new Intl.DateTimeFormat('en-GB', date);
    } catch {
      return;
    }
    // data-local="time": a clock time (when a paused form reopens); "date": the day only (lists); otherwise a
    // date with its time. The full moment stays in the title for those who want it.
    for (const time of document.querySelectorAll('time[data-local]')) {
      const when = new Date(time.getAttribute('datetime'));
      if (Number.isNaN(when.getTime())) continue;
      const full = dateTime.format(when).replace(/, (\d)/, ' at $1');
      const mode = time.dataset.local;
      time.textContent = mode === 'time' ? clock.format(when) : mode === 'date' ? day.format(when) : full;
      if (mode === 'date') time.title = full;
    }
  }

  // Code blocks scroll sideways: make each one reachable and scrollable by keyboard, and name it.
  function codeBlocks() {
    let n = 0;
    for (const pre of document.querySelectorAll('.post__body pre')) {
      n += 1;
      pre.setAttribute('tabindex', '0');
      pre.setAttribute('role', 'region');
      pre.setAttribute('aria-label', `Code example ${n}`);
    }
  }

  // Wide tables scroll sideways in their own box; like code, that box must be reachable by keyboard.
  function tables() {
    let n = 0;
    for (const table of document.querySelectorAll('.post__body table')) {
      n += 1;
      const box = document.createElement('div');
      box.className = 'table-scroll';
      box.setAttribute('tabindex', '0');
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', `Table ${n}`);
      table.replaceWith(box);
      box.append(table);
    }
  }

  // The header's Account menu (a <details>): Escape closes it and returns focus; a click elsewhere closes it.
  function accountMenu() {
    const menu = document.querySelector('[data-account-menu]');
    if (!menu) return;
    const toggle = menu.querySelector('summary');
    menu.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && menu.open) {
        menu.open = false;
        toggle.focus();
      }
    });
    document.addEventListener('click', (event) => {
      if (menu.open && event.target instanceof Node && !menu.contains(event.target)) menu.open = false;
    });
  }

  errorSummary();
  localTimes();
  codeBlocks();
  tables();
  accountMenu();
})();
