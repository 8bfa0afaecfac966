import type { KeptForms } from '../http/kept-form';

const OBJECT_ID = '[a-f0-9]{24}';

/** The post form's own fields: nothing else a request carries is kept. */
const POST_FIELDS = ['title', 'body', 'tags', 'status', 'publishAt', 'coverImage', 'draftKey'] as const;

/**
 * The posts feature's writing forms, kept when a session ends while they are sent (src/http/kept-form.ts), and
 * why its pages ask for a sign-in.
 */
export const postsKeptForms: KeptForms = {
  forms: [
    { action: /^\/posts\/?$/, page: () => '/posts/new', fields: POST_FIELDS },
    { action: new RegExp(`^/posts/(${OBJECT_ID})/?$`, 'i'), page: (id) => `/posts/${id}/edit`, fields: POST_FIELDS },
    {
      action: new RegExp(`^/posts/(${OBJECT_ID})/comments/?$`, 'i'),
      page: (id) => `/posts/${id}`,
      anchor: '#comments',
      fields: ['body'],
    },
  ],
  reasons: [
    { page: new RegExp(`^/posts/(new|${OBJECT_ID}/edit)$`), reason: 'write' },
    { page: new RegExp(`^/posts/${OBJECT_ID}$`), reason: 'comment' },
  ],
};
