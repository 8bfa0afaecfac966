import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { type AdminLog, adminEventJson } from '../admin-log/admin-log';
import type { Config } from '../config';
import { describeDevice } from '../http/describe-device';
import { ForbiddenError, NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { publicLink } from '../http/links';
import type { PageCache } from '../http/page-cache';
import { respond } from '../http/respond';
import { parseForm } from '../http/validate';
import type { Invitations } from '../invites/invitations';
import { INVITATION_TTL_MS } from '../invites/invitations';
import type { Mailer } from '../mail/mailer';
import { maskEmail } from '../mail/mask-email';
import { describeDuration } from '../mail/templates';
import type { Moderation } from '../moderation/moderation';
import { type Reports, reportJson } from '../moderation/reports';
import type { PostModel } from '../posts/post.model';
import { actorOf, type RoleGuards } from '../roles/actor';
import { can, canInvite, grantable, invitableRoles } from '../roles/permissions';
import type { SessionStore } from '../session/session-store';
import { type Settings, type SiteSettings, settingsSchema } from '../site-settings/site-settings';
import { ROLE_LABEL, ROLES, type Role, roleOf } from '../users/roles';
import type { UserModel } from '../users/user.model';
import type { StaffActions } from './staff-actions';

export interface AdminDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly posts: PostModel;
  readonly sessions: SessionStore;
  readonly roles: RoleGuards;
  readonly sudo: RequestHandler;
  readonly staff: StaffActions;
  readonly moderation: Moderation;
  readonly reports: Reports;
  readonly adminLog: AdminLog;
  readonly settings: SiteSettings;
  readonly invitations: Invitations;
  readonly mailer: Mailer;
  readonly pageCache?: PageCache;
  readonly now: () => number;
}

const USERS_PAGE = 50;

const roleField = z.enum(ROLES, { error: 'Choose a role' });
const inviteSchema = z.object({
  email: z
    .string({ error: 'Enter an email address' })
    .trim()
    .toLowerCase()
    .pipe(z.email('Enter an email address such as name@example.com').max(254)),
  role: roleField,
});
const searchSchema = z.string().max(100).optional();

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const userName = (raw: unknown): string => {
  if (typeof raw !== 'string' || !/^[a-z0-9_-]{1,30}$/i.test(raw)) throw new NotFoundError('No such user');
  return raw.toLowerCase();
};

/** The staff area, /admin: reports and moderation (editors), users, settings and the log (admins). */
export function adminRoutes(deps: AdminDeps): Router {
  const { roles, sudo, staff, moderation, reports, adminLog, settings, users, sessions, now } = deps;
  const router = Router();
  const editor = roles.requireCan('staff.area');
  const moderator = roles.requireCan('comment.moderate');
  const admin = roles.requireCan('users.view');
  const settingsAdmin = roles.requireCan('settings.manage');

  /** Last activity of each user, from their live sessions (none: never, or signed out everywhere). */
  async function lastSeen(userId: string): Promise<Date | null> {
    const list = await sessions.listByUser(userId);
    return list[0]?.lastSeenAt ?? null;
  }

  const home: RequestHandler = async (_req, res) => {
    const actor = actorOf(res);
    const [open, pending, drafts] = await Promise.all([
      reports.open(),
      moderation.pending(),
      deps.posts
        .find({ status: 'draft' }, { title: 1, authorName: 1, updatedAt: 1 })
        .sort({ updatedAt: -1 })
        .limit(20)
        .lean(),
    ]);
    const summary = {
      openReports: open.length,
      heldComments: pending.filter((c) => c.moderation === 'held').length,
      drafts: drafts.length,
    };
    respond(res.req, res, {
      json: () => ({ staff: { role: actor.role, ...summary } }),
      html: {
        view: 'admin/index',
        locals: {
          title: 'Staff area',
          active: 'home',
          actor,
          summary,
          drafts,
          canManage: can(actor.role, 'users.view'),
        },
      },
    });
  };

  const reportsPage: RequestHandler = async (_req, res) => {
    const [open, pending] = await Promise.all([reports.open(), moderation.pending()]);
    respond(res.req, res, {
      json: () => ({ reports: open.map(reportJson) }),
      html: {
        view: 'admin/reports',
        locals: { title: 'Reports', active: 'reports', actor: actorOf(res), reports: open, pending },
      },
    });
  };

  const dismiss: RequestHandler = async (req, res) => {
    const actor = actorOf(res);
    const report = await reports.dismiss(String(req.params.id), actor.username);
    if (!report) throw new NotFoundError('No such open report');
    await adminLog.record({
      actorId: actor.id,
      actor: actor.username,
      action: 'report_dismissed',
      details: { kind: report.kind, targetId: report.targetId },
    });
    respond(req, res, {
      json: () => ({ message: 'Dismissed' }),
      html: () => {
        flash(req, 'success', 'The report is dismissed.');
        res.redirect(303, '/admin/reports');
      },
    });
  };

  const moderate =
    (action: 'hide' | 'restore' | 'approve'): RequestHandler =>
    async (req, res) => {
      const actor = actorOf(res);
      const result = await moderation[action](actor, req.params.commentId);
      const state = { hide: 'hidden', restore: 'shown', approve: 'shown' }[action];
      const text = {
        hide: 'The comment is hidden.',
        restore: 'The comment is shown again.',
        approve: 'The comment is published.',
      };
      respond(req, res, {
        json: () => ({ comment: { id: String(req.params.commentId), state, changed: result.changed } }),
        html: () => {
          flash(req, 'success', result.changed ? text[action] : 'Nothing to change: someone did it already.');
          res.redirect(303, '/admin/reports');
        },
      });
    };

  const usersPage: RequestHandler = async (req, res) => {
    const q = (searchSchema.safeParse(req.query.q).data ?? '').trim().toLowerCase();
    const filter = q ? { username: { $regex: `^${escapeRegex(q)}` } } : {};
    const found = await users
      .find({ ...filter, deletedAt: { $exists: false } }, { username: 1, role: 1, suspendedAt: 1, createdAt: 1 })
      .sort({ username: 1 })
      .limit(USERS_PAGE)
      .lean();
    const list = await Promise.all(
      found.map(async (u) => ({
        username: u.username,
        role: roleOf(u),
        status: u.suspendedAt ? ('suspended' as const) : ('active' as const),
        createdAt: u.createdAt,
        lastSeenAt: await lastSeen(String(u._id)),
      })),
    );
    respond(req, res, {
      json: () => ({ users: list }),
      html: {
        view: 'admin/users',
        locals: { title: 'Users', active: 'users', actor: actorOf(res), users: list, q, roleLabel: ROLE_LABEL },
      },
    });
  };

  const userPage: RequestHandler = async (req, res) => {
    const actor = actorOf(res);
    const target = await staff.find(userName(req.params.name));
    const record = await users.findById(target.id, { createdAt: 1 }).lean();
    const devices = (await sessions.listByUser(target.id)).map((s) => ({
      signedInAt: s.signedInAt,
      lastSeenAt: s.lastSeenAt,
      ip: s.ip,
      browser: describeDevice(s.userAgent),
    }));
    const user = {
      username: target.username,
      role: target.role,
      status: target.suspendedAt ? 'suspended' : 'active',
      createdAt: record?.createdAt,
      lastSeenAt: devices[0]?.lastSeenAt ?? null,
      devices,
    };
    const actable = target.role !== 'owner' && target.id !== actor.id && grantable(actor.role).includes(target.role);
    respond(req, res, {
      json: () => ({ user }),
      html: {
        view: 'admin/user',
        locals: {
          title: target.username,
          active: 'users',
          actor,
          user,
          actable,
          roles: actable ? grantable(actor.role) : [],
          roleLabel: ROLE_LABEL,
        },
      },
    });
  };

  const setRole: RequestHandler = async (req, res) => {
    const name = userName(req.params.name);
    const form = { view: 'admin/user-role', locals: { title: `Role of ${name}`, active: 'users', name } };
    const input = parseForm(z.object({ role: roleField }), req.body, form);
    const target = await staff.setRole(actorOf(res), name, input.role);
    respond(req, res, {
      json: () => ({ user: { username: target.username, role: target.role } }),
      html: () => {
        flash(req, 'success', `${target.username} is now ${ROLE_LABEL[target.role].toLowerCase()}.`);
        res.redirect(303, `/admin/users/${target.username}`);
      },
    });
  };

  /** GET pages of the user actions: where sudo brings a browser back, and the confirmations. */
  const confirmPage =
    (action: 'role' | 'suspend' | 'unsuspend' | 'sign-out'): RequestHandler =>
    async (req, res) => {
      const target = await staff.find(userName(req.params.name));
      if (action === 'role') {
        res.redirect(303, `/admin/users/${target.username}`);
        return;
      }
      res.render('admin/confirm-user', { title: `${target.username}`, active: 'users', action, target });
    };

  const suspend: RequestHandler = async (req, res) => {
    const { target, sessionsEnded } = await staff.suspend(actorOf(res), userName(req.params.name));
    respond(req, res, {
      json: () => ({ user: { username: target.username, status: 'suspended' }, sessionsEnded }),
      html: () => {
        flash(req, 'success', `${target.username} is suspended and signed out everywhere.`);
        res.redirect(303, `/admin/users/${target.username}`);
      },
    });
  };

  const unsuspend: RequestHandler = async (req, res) => {
    const target = await staff.unsuspend(actorOf(res), userName(req.params.name));
    respond(req, res, {
      json: () => ({ user: { username: target.username, status: 'active' } }),
      html: () => {
        flash(req, 'success', `${target.username} can sign in again; their posts and comments are back.`);
        res.redirect(303, `/admin/users/${target.username}`);
      },
    });
  };

  const signOut: RequestHandler = async (req, res) => {
    const { target, sessionsEnded } = await staff.signOut(actorOf(res), userName(req.params.name));
    respond(req, res, {
      json: () => ({ message: 'Signed out everywhere', sessionsEnded }),
      html: () => {
        flash(req, 'success', `${target.username} is signed out on every device.`);
        res.redirect(303, `/admin/users/${target.username}`);
      },
    });
  };

  const settingsForm = { view: 'admin/settings', locals: { title: 'Site settings', active: 'settings' } };
  const showSettings: RequestHandler = async (req, res) => {
    const current = await settings.fresh();
    respond(req, res, {
      json: () => ({ settings: current }),
      html: { view: settingsForm.view, locals: { ...settingsForm.locals, actor: actorOf(res), values: current } },
    });
  };

  const saveSettings: RequestHandler = async (req, res) => {
    const actor = actorOf(res);
    const input: Settings = parseForm(settingsSchema, req.body, {
      ...settingsForm,
      locals: { ...settingsForm.locals, actor },
    });
    const before = await settings.fresh();
    const saved = await settings.save(input, new Date(now()));
    const changed = (Object.keys(saved) as (keyof Settings)[]).filter((k) => saved[k] !== before[k]);
    await adminLog.record({
      actorId: actor.id,
      actor: actor.username,
      action: 'settings_changed',
      details: { changed: changed.join(', ') || 'nothing' },
    });
    // Every cached page shows the title: none may outlive the change in this process.
    deps.pageCache?.clear();
    respond(req, res, {
      json: () => ({ settings: saved }),
      html: () => {
        flash(req, 'success', 'The settings are saved.');
        res.redirect(303, '/admin/settings');
      },
    });
  };

  const inviteForm = (actorRole: Role) => ({
    view: 'admin/invite',
    locals: { title: 'Invite someone', active: 'invite', roles: invitableRoles(actorRole), roleLabel: ROLE_LABEL },
  });
  const showInvite: RequestHandler = (_req, res) => {
    const actor = actorOf(res);
    const form = inviteForm(actor.role);
    res.render(form.view, { ...form.locals, actor, values: { role: 'author' } });
  };

  const invite: RequestHandler = async (req, res) => {
    const actor = actorOf(res);
    const form = inviteForm(actor.role);
    const input = parseForm(inviteSchema, req.body, { view: form.view, locals: { ...form.locals, actor } });
    if (!canInvite(actor.role, input.role)) {
      throw new ForbiddenError(`You can invite up to ${invitableRoles(actor.role).at(0) ?? 'nobody'}`);
    }
    const token = await deps.invitations.issue({
      email: input.email,
      role: input.role,
      invitedById: actor.id,
      invitedBy: actor.username,
    });
    deps.mailer.send({
      to: input.email,
      template: 'invitation',
      data: {
        inviter: actor.username,
        role: ROLE_LABEL[input.role].toLowerCase(),
        siteTitle: settings.known().siteTitle,
        link: publicLink(deps.config.publicUrl, `/auth/invite/${token}`),
        expiresIn: describeDuration(INVITATION_TTL_MS),
      },
    });
    await adminLog.record({
      actorId: actor.id,
      actor: actor.username,
      action: 'invited',
      // No account yet: the address, masked (the log outlives the invitation).
      target: maskEmail(input.email),
      details: { role: input.role },
    });
    const expiresAt = new Date(now() + INVITATION_TTL_MS);
    respond(req, res, {
      status: 201,
      json: () => ({ invitation: { email: input.email, role: input.role, expiresAt } }),
      html: () => {
        flash(req, 'success', `An invitation is on its way to ${input.email}.`);
        res.redirect(303, '/admin/invites');
      },
    });
  };

  const logPage: RequestHandler = async (req, res) => {
    const events = await adminLog.latest();
    respond(req, res, {
      json: () => ({ events: events.map(adminEventJson) }),
      html: {
        view: 'admin/log',
        locals: { title: 'Admin log', active: 'log', actor: actorOf(res), events: events.map(adminEventJson) },
      },
    });
  };

  router.get('/', editor, home);
  router.get('/reports', moderator, reportsPage);
  router.post('/reports/:id/dismiss', moderator, dismiss);
  router.post('/comments/:commentId/hide', moderator, moderate('hide'));
  router.post('/comments/:commentId/restore', moderator, moderate('restore'));
  router.post('/comments/:commentId/approve', moderator, moderate('approve'));
  router.get('/users', admin, usersPage);
  router.get('/users/:name', admin, userPage);
  router.get('/users/:name/role', admin, confirmPage('role'));
  router.post('/users/:name/role', [...admin, sudo], setRole);
  router.get('/users/:name/suspend', admin, confirmPage('suspend'));
  router.post('/users/:name/suspend', [...admin, sudo], suspend);
  router.get('/users/:name/unsuspend', admin, confirmPage('unsuspend'));
  router.post('/users/:name/unsuspend', [...admin, sudo], unsuspend);
  router.get('/users/:name/sign-out', admin, confirmPage('sign-out'));
  router.post('/users/:name/sign-out', [...admin, sudo], signOut);
  router.get('/settings', settingsAdmin, showSettings);
  router.post('/settings', [...settingsAdmin, sudo], saveSettings);
  router.get('/invites', roles.requireCan('invite'), showInvite);
  router.post('/invites', [...roles.requireCan('invite'), sudo], invite);
  router.get('/log', roles.requireCan('log.view'), logPage);
  return router;
}
