// "Add an image" in the post editor (views/posts/image-upload.ejs): uploads the chosen picture with its alt
// text to POST /images and inserts the Markdown it answers at the cursor in the body. Everything is a native
// control, so it works by keyboard; the status line is a live region that says what happened.
(() => {
  'use strict';

  function setUp(box) {
    const form = box.closest('form');
    const file = box.querySelector('[data-image-upload-file]');
    const alt = box.querySelector('[data-image-upload-alt]');
    const button = box.querySelector('[data-image-upload-button]');
    const coverButton = box.querySelector('[data-image-upload-cover]');
    const status = box.querySelector('[data-image-upload-status]');
    const body = form?.querySelector('textarea[name="body"]');
    const cover = form?.querySelector('input[name="coverImage"]');
    const token = form?.querySelector('input[name="_csrf"]')?.value;
    if (!form || !file || !alt || !button || !status || !body) return;
    box.hidden = false;
    let lastUrl = null;

    function say(text, problem) {
      status.textContent = text;
      status.classList.toggle('field__error', Boolean(problem));
    }

    function insert(markdown) {
      const start = body.selectionStart ?? body.value.length;
      const end = body.selectionEnd ?? start;
      const before = body.value.slice(0, start);
      const after = body.value.slice(end);
      const lead = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
      const trail = after.startsWith('\n') ? '\n' : '\n\n';
      body.value = `${before}${lead}${markdown}${trail}${after}`;
      const caret = before.length + lead.length + markdown.length + trail.length;
      body.focus();
      body.setSelectionRange(caret, caret);
    }

    async function upload() {
      const picture = file.files?.[0];
      const text = alt.value.trim();
      alt.removeAttribute('aria-invalid');
      file.removeAttribute('aria-invalid');
      if (!picture) {
        file.setAttribute('aria-invalid', 'true');
        say('Choose a picture first.', true);
        file.focus();
        return;
      }
      if (!text) {
        alt.setAttribute('aria-invalid', 'true');
        say('Describe the picture in the alt text first.', true);
        alt.focus();
        return;
      }
      const data = new FormData();
      data.append('alt', text);
      data.append('image', picture);
      button.disabled = true;
      say('Uploading…', false);
      try {
        const res = await fetch('/images', {
          method: 'POST',
          body: data,
          credentials: 'same-origin',
          headers: { Accept: 'application/json', ...(token ? { 'X-CSRF-Token': token } : {}) },
        });
        const answer = await res.json().catch(() => ({}));
        if (!res.ok || !answer.image) {
          say(answer.error || 'The picture could not be uploaded.', true);
          return;
        }
        lastUrl = answer.image.url;
        insert(answer.image.markdown);
        file.value = '';
        alt.value = '';
        if (coverButton && cover) coverButton.hidden = false;
        say(`Inserted “${text}” into the body.`, false);
      } catch {
        say('The picture could not be uploaded: check your connection and try again.', true);
      } finally {
        button.disabled = false;
      }
    }

    button.addEventListener('click', () => void upload());
    // Enter in the alt text uploads, rather than submitting (publishing) the whole post.
    alt.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      void upload();
    });
    coverButton?.addEventListener('click', () => {
      if (!lastUrl || !cover) return;
      cover.value = lastUrl;
      say('It is now the cover image.', false);
    });
  }

  for (const box of document.querySelectorAll('[data-image-upload]')) setUp(box);
})();
