// Folio's passkey script: adding a passkey (/account/passkeys) and signing in with one (/auth/login).
// It needs @simplewebauthn/browser (/js/simplewebauthn-browser.js, loaded before it); every other page and
// every form works without either. Loaded with `defer` (the CSP allows scripts from this origin only).
(() => {
  'use strict';
  const webauthn = window.SimpleWebAuthnBrowser;
  if (!webauthn?.browserSupportsWebAuthn()) return;

  function say(status, text) {
    if (status) status.textContent = text;
  }

  async function postJson(url, body, csrfToken) {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
    let data = {};
    try {
      data = await res.json();
    } catch {
      // A non-JSON answer (a proxy's error page): the status says enough.
    }
    return { status: res.status, data };
  }

  // The browser refused or the person cancelled: not an error worth alarming anyone about.
  function cancelled(err) {
    return err && (err.name === 'NotAllowedError' || err.name === 'AbortError');
  }

  // /account/passkeys: "Add a passkey".
  function addPasskey() {
    const area = document.querySelector('[data-passkey-add]');
    if (!area) return;
    const button = area.querySelector('button');
    const status = document.querySelector('[data-passkey-status]');
    const csrfToken = area.dataset.csrf;
    area.hidden = false;
    for (const note of document.querySelectorAll('[data-passkey-unsupported]')) note.hidden = true;
    button.addEventListener('click', async () => {
      button.disabled = true;
      say(status, 'Follow your browser’s prompt to create the passkey…');
      try {
        const options = await postJson('/account/passkeys/options', {}, csrfToken);
        if (options.status === 401) {
          // Sudo mode ran out: confirm the password, then come back here.
          window.location.assign('/account/confirm?next=%2Faccount%2Fpasskeys');
          return;
        }
        if (options.status !== 200) throw new Error(options.data.error || 'The passkey could not be started.');
        const response = await webauthn.startRegistration({ optionsJSON: options.data });
        const nameField = document.getElementById('passkey-name');
        const name = nameField ? nameField.value.trim() : '';
        const added = await postJson('/account/passkeys', name ? { response, name } : { response }, csrfToken);
        if (added.status !== 201) throw new Error(added.data.error || 'The passkey was not accepted.');
        window.location.assign('/account/passkeys');
      } catch (err) {
        say(status, cancelled(err) ? 'No passkey was added.' : `No passkey was added: ${err.message}`);
        button.disabled = false;
      }
    });
  }

  // /auth/login: "Sign in with a passkey", and the browser's autofill (conditional mediation).
  function signIn() {
    const area = document.querySelector('[data-passkey-sign-in]');
    if (!area) return;
    const form = document.querySelector('form[action="/auth/login"]');
    const button = area.querySelector('button');
    const status = area.querySelector('[data-passkey-status]');
    area.hidden = false;
    let autofillStarted = false;

    // While a challenge is being fetched the visitor's session (and its CSRF token) may be appearing: a
    // password form sent in that moment waits for the token instead of being refused as a stale form.
    let inflight = null;
    if (form) {
      form.addEventListener('submit', (event) => {
        if (!inflight) return;
        event.preventDefault();
        const send = () => form.submit();
        inflight.then(send, send);
      });
    }

    function challenge() {
      inflight = fetchChallenge().finally(() => {
        inflight = null;
      });
      return inflight;
    }

    async function fetchChallenge() {
      const res = await postJson('/auth/passkey/options', {});
      if (res.status !== 200) throw new Error(res.data.error || 'Passkey sign-in is not available right now.');
      // Asking for a challenge started a session: the password form needs its CSRF token from now on.
      if (form && res.data.csrfToken) {
        let field = form.querySelector('input[name="_csrf"]');
        if (!field) {
          field = document.createElement('input');
          field.type = 'hidden';
          field.name = '_csrf';
          form.prepend(field);
        }
        field.value = res.data.csrfToken;
      }
      return res.data.options;
    }

    async function finish(response) {
      const remember = form ? form.querySelector('input[name="remember"]') : null;
      const next = form ? form.querySelector('input[name="next"]') : null;
      const body = { response, remember: Boolean(remember?.checked) };
      if (next?.value) body.next = next.value;
      const res = await postJson('/auth/passkey', body);
      if (res.status !== 200) throw new Error(res.data.error || 'The passkey was not accepted.');
      window.location.assign(res.data.redirect || '/posts');
    }

    button.addEventListener('click', async () => {
      button.disabled = true;
      say(status, 'Follow your browser’s prompt to use your passkey…');
      try {
        // A button press replaces a pending autofill request (the library aborts it).
        const options = await challenge();
        await finish(await webauthn.startAuthentication({ optionsJSON: options }));
      } catch (err) {
        say(status, cancelled(err) ? 'Passkey sign-in was cancelled.' : `Not signed in: ${err.message}`);
        button.disabled = false;
      }
    });

    // Autofill: offered once the visitor starts on the username field, not on page load, so that a visit
    // alone never creates a session (anonymous pages stay cookie-free).
    const username = document.getElementById('field-username');
    if (!username) return;
    const startAutofill = async () => {
      if (autofillStarted) return;
      autofillStarted = true;
      try {
        if (!(await webauthn.browserSupportsWebAuthnAutofill())) return;
        const options = await challenge();
        await finish(await webauthn.startAuthentication({ optionsJSON: options, useBrowserAutofill: true }));
      } catch (err) {
        if (!cancelled(err)) say(status, `Not signed in: ${err.message}`);
        autofillStarted = false;
      }
    };
    username.addEventListener('pointerdown', startAutofill, { once: true });
    username.addEventListener('keydown', startAutofill, { once: true });
  }

  addPasskey();
  signIn();
})();
