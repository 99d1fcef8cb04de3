import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountRepo } from '../accounts/account.repo.js';
import type { AdminStrings } from '../accounts/admin-pages.js';
import type { AdminSessionStore } from '../accounts/admin-session.store.js';
import { AppError } from '../errors.js';
import { readGlossary } from '../glossary.js';
import type { CampaignService } from './campaign.service.js';
import { campaignViews } from './campaign.views.js';
import {
  findUp,
  pageAssets,
  pageGate,
  pageQuery,
  sendHtml,
  serveAssets,
} from '../http/page-kit.js';

export interface CampaignPagesDeps {
  service: Pick<CampaignService, 'list' | 'get'>;
  accounts: Pick<AccountRepo, 'byId'>;
  adminSessions: Pick<AdminSessionStore, 'get'>;
  /** locales/<lang>/admin.json, flat (the `campaigns.*` keys). */
  strings: AdminStrings;
}

const ID = /^[0-9a-f]{24}$/i;

/**
 * The campaign pages behind the admin login (an admin's or supervisor's session cookie):
 * `GET /admin/campaigns` (the list), `/admin/campaigns/new` (the form; admins only) and
 * `/admin/campaigns/:id` (one campaign, live). In one language: `?lang=`, else the browser's
 * Accept-Language, else Chinese. Their script and stylesheet are served here, under
 * /admin/assets/; the page reads and changes campaigns through the admin API.
 */
export function campaignPages(deps: CampaignPagesDeps): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const { css, js } = await pageAssets('admin-campaigns.css', 'admin-campaigns.js');
    const glossary = readGlossary(fileURLToPath(await findUp('locales/glossary.json')));
    const views = campaignViews({
      strings: deps.strings,
      districtsBo: new Map(glossary.districts.map((d) => [d.zh, d.bo])),
      assets: {
        css: `/admin/assets/campaigns.css?v=${css.version}`,
        js: `/admin/assets/campaigns.js?v=${js.version}`,
      },
    });
    const html = sendHtml;
    const gate = pageGate(deps, (ctx) => views.problem(ctx, 'forbidden'));

    app.get(
      '/admin/campaigns',
      {
        schema: {
          hide: true,
          querystring: pageQuery.extend({ cursor: z.string().regex(ID).optional() }),
        },
      },
      async (req, reply) => {
        const seen = await gate(req, reply, ['admin', 'supervisor']);
        if (!seen) return reply;
        const { ctx } = seen;
        const { items, nextCursor } = await deps.service.list(20, req.query.cursor);
        return html(reply, 200, views.list(ctx, items, nextCursor));
      },
    );

    app.get(
      '/admin/campaigns/new',
      { schema: { hide: true, querystring: pageQuery } },
      async (req, reply) => {
        const seen = await gate(req, reply, ['admin']);
        if (!seen) return reply;
        return html(reply, 200, views.form(seen.ctx));
      },
    );

    app.get(
      '/admin/campaigns/:id',
      { schema: { hide: true, querystring: pageQuery, params: z.object({ id: z.string() }) } },
      async (req, reply) => {
        const seen = await gate(req, reply, ['admin', 'supervisor']);
        if (!seen) return reply;
        const { ctx } = seen;
        const campaign = ID.test(req.params.id)
          ? await deps.service.get(req.params.id).catch((err: unknown) => {
              if (err instanceof AppError && err.code === 'not_found') return null;
              throw err;
            })
          : null;
        if (!campaign) return html(reply, 404, views.problem(ctx, 'notFound'));
        return html(reply, 200, views.show(ctx, campaign));
      },
    );

    serveAssets(app, [
      ['/admin/assets/campaigns.css', css],
      ['/admin/assets/campaigns.js', js],
    ]);
  };
}

/** `?lang=`, else Accept-Language, else Chinese (the page kit's; kept here for its users). */
export { pageLang } from '../http/page-kit.js';
