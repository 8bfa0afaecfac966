// The post editor (views/posts/new.ejs, edit.ejs): a Write / Preview pair of tabs and autosave of drafts.
// The form works without it; this only adds. Both requests are ordinary form posts carrying the page's CSRF
// token, so a session that ended meanwhile is refused like the form would be (and the form's own buttons
// then keep the text through sign-in: src/http/kept-form.ts).
(() => {
  'use strict';

  const form = document.querySelector('form[data-editor]');
  if (!form) return;
  const body = form.querySelector('textarea[name="body"]');
  if (!body) return;
  const csrf = () => form.querySelector('input[name="_csrf"]')?.value || '';

  // ---- Write / Preview (WAI-ARIA tabs: arrow keys move between them, one tab stop) ----
  function tabs() {
    const tablist = document.createElement('div');
    tablist.className = 'editor-tabs';
    tablist.setAttribute('role', 'tablist');
    tablist.setAttribute('aria-label', 'Write or preview');
    const writePanel = document.createElement('div');
    writePanel.id = 'editor-write-panel';
    writePanel.setAttribute('role', 'tabpanel');
    const previewPanel = document.createElement('div');
    previewPanel.id = 'editor-preview-panel';
    previewPanel.className = 'editor-preview post__body';
    previewPanel.setAttribute('role', 'tabpanel');
    previewPanel.setAttribute('tabindex', '0');
    previewPanel.hidden = true;
    const makeTab = (id, text, panel) => {
      const tab = document.createElement('button');
      tab.type = 'button';
      tab.id = id;
      tab.className = 'editor-tab';
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-controls', panel.id);
      tab.textContent = text;
      panel.setAttribute('aria-labelledby', id);
      tablist.append(tab);
      return tab;
    };
    const writeTab = makeTab('editor-write-tab', 'Write', writePanel);
    const previewTab = makeTab('editor-preview-tab', 'Preview', previewPanel);
    body.replaceWith(writePanel);
    writePanel.append(body);
    writePanel.before(tablist);
    writePanel.after(previewPanel);

    let request = 0;
    const select = (tab, focus) => {
      const preview = tab === previewTab;
      writeTab.setAttribute('aria-selected', String(!preview));
      previewTab.setAttribute('aria-selected', String(preview));
      writeTab.tabIndex = preview ? -1 : 0;
      previewTab.tabIndex = preview ? 0 : -1;
      writePanel.hidden = preview;
      previewPanel.hidden = !preview;
      if (focus) tab.focus();
      if (preview) showPreview(++request);
    };
    async function showPreview(id) {
      if (body.value.trim() === '') {
        previewPanel.textContent = 'Nothing to preview yet: write something in the Write tab.';
        return;
      }
      previewPanel.setAttribute('aria-busy', 'true');
      previewPanel.textContent = 'Loading the preview…';
      try {
        const res = await fetch('/posts/preview', {
          method: 'POST',
          headers: { Accept: 'text/html', 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: csrf(), body: body.value }),
          credentials: 'same-origin',
        });
        if (id !== request) return;
        if (!res.ok) throw new Error(String(res.status));
        // Rendered and sanitised by the server (src/posts/markdown.ts), as the published post will be.
        previewPanel.innerHTML = await res.text();
      } catch {
        if (id !== request) return;
        previewPanel.textContent =
          'The preview could not be loaded (are you still signed in?). Your text is safe in the Write tab.';
      } finally {
        if (id === request) previewPanel.removeAttribute('aria-busy');
      }
    }
    writeTab.addEventListener('click', () => select(writeTab, false));
    previewTab.addEventListener('click', () => select(previewTab, false));
    tablist.addEventListener('keydown', (event) => {
      if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
      event.preventDefault();
      const current = document.activeElement === previewTab ? previewTab : writeTab;
      const next =
        event.key === 'Home'
          ? writeTab
          : event.key === 'End'
            ? previewTab
            : current === writeTab
              ? previewTab
              : writeTab;
      select(next, true);
    });
    select(writeTab, false);
  }

  // ---- Autosave: a few seconds after typing stops (and at least every 15 s of typing), and when the tab hides ----
  function autosave() {
    if (!form.hasAttribute('data-autosave')) return;
    const status = form.querySelector('[data-autosave-status]');
    const say = (text) => {
      if (status) status.textContent = text;
    };
    const QUIET_MS = 2500;
    const MAX_WAIT_MS = 15000;
    let timer = 0;
    let firstChangeAt = 0;
    let dirty = false;
    let inFlight = null;
    let stopped = false;

    const fields = () => {
      const data = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (typeof value === 'string' && name !== 'status' && name !== 'publishAt') data.append(name, value);
      }
      if (form.dataset.autosaveId) data.set('id', form.dataset.autosaveId);
      return data;
    };

    async function save(keepalive) {
      if (stopped || !dirty) return;
      if (inFlight) {
        await inFlight;
        return save(keepalive);
      }
      dirty = false;
      firstChangeAt = 0;
      inFlight = (async () => {
        try {
          const res = await fetch('/posts/autosave', {
            method: 'POST',
            headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
            body: fields(),
            credentials: 'same-origin',
            keepalive,
          });
          if (res.status === 422) return;
          if (res.status === 401 || res.status === 403) {
            stopped = true;
            say('Not saved: you are signed out. Press “Save draft” to sign in again; your text is kept.');
            return;
          }
          if (res.status === 409) {
            stopped = true;
            say('Not saved automatically: this post is no longer a draft.');
            return;
          }
          if (!res.ok) {
            dirty = true;
            say('Not saved yet: Folio could not be reached. Trying again as you type.');
            return;
          }
          const { draft } = await res.json();
          // From now on this page edits that draft: the buttons save it rather than making another post.
          form.dataset.autosaveId = draft.id;
          form.action = draft.action;
          say(draft.label);
        } catch {
          dirty = true;
          say('Not saved yet: Folio could not be reached. Trying again as you type.');
        } finally {
          inFlight = null;
        }
      })();
      return inFlight;
    }

    form.addEventListener('input', (event) => {
      if (!(event.target instanceof HTMLElement) || !['title', 'body', 'tags'].includes(event.target.name)) return;
      dirty = true;
      const now = Date.now();
      if (!firstChangeAt) firstChangeAt = now;
      clearTimeout(timer);
      const wait = Math.max(0, Math.min(QUIET_MS, firstChangeAt + MAX_WAIT_MS - now));
      timer = setTimeout(() => save(false), wait);
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') save(true);
    });
    // Pressing a button while a first save is on its way: wait for it, so the press saves that same draft.
    form.addEventListener('submit', (event) => {
      clearTimeout(timer);
      stopped = true;
      if (!inFlight) return;
      event.preventDefault();
      const submitter = event.submitter;
      inFlight.finally(() => form.requestSubmit(submitter));
    });
  }

  tabs();
  autosave();
})();
