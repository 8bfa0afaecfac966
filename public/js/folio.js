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
  codeBlocks();
  tables();
  accountMenu();
})();
