import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cleaned } from '../lib/clean-string.js';
import { outsideScheduleWindow } from '../lib/schedule-window.js';
import { actorName, requireRole } from '../accounts/auth.js';
import { detectScript } from '../lib/script.js';
import type { CampaignService } from './campaign.service.js';

/** Lhasa's districts and counties (the glossary's Chinese names): the audience's `districts`. */
export const DISTRICTS = [
  '城关区',
  '堆龙德庆区',
  '达孜区',
  '林周县',
  '当雄县',
  '尼木县',
  '曲水县',
  '墨竹工卡县',
] as const;

const LANG = z.enum(['zh-CN', 'bo']);
const CHANNEL = z.enum(['web', 'telegram', 'wechat']);
const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'expected a lower-case slug (a-z, 0-9, -)');
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(50).optional();

const messageText = (lang: 'zh-CN' | 'bo') =>
  cleaned(
    z
      .string()
      .trim()
      .min(1, 'required')
      .max(10_000)
      .refine(
        (s) =>
          lang === 'bo'
            ? /[\u0F40-\u0FBC]/.test(s)
            : detectScript(s) !== 'bo' && /\p{Script=Han}/u.test(s),
        lang === 'bo' ? 'expected Tibetan text' : 'expected Chinese text',
      ),
  );

export const campaignBody = z
  .object({
    title: cleaned(z.string().trim().min(1, 'required').max(120)),
    message: z.object({ 'zh-CN': messageText('zh-CN'), bo: messageText('bo') }).strict(),
    audience: z
      .object({
        languages: list(LANG),
        channels: list(CHANNEL),
        districts: list(z.enum(DISTRICTS)),
        categories: list(slug),
        tags: list(z.string().trim().min(1).max(40)),
      })
      .strict()
      .default({}),
    sendAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

const idParams = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, 'expected a campaign id') });

/** The admin API for campaigns (inside the admin plugin: authenticated; roles per route). */
export function campaignRoutes(deps: {
  service: CampaignService;
  now?: () => Date;
}): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const tags = ['campaigns'];
    const security = [{ bearer: [] }];
    const admin = requireRole('admin');
    const reader = requireRole('admin', 'supervisor');

    app.post(
      '/api/admin/campaigns',
      {
        onRequest: admin,
        schema: {
          tags,
          security,
          summary: 'Write a bilingual campaign; scheduled, or waiting for a second administrator',
          body: campaignBody,
        },
      },
      async (req, reply) => {
        const { sendAt, ...rest } = req.body;
        const when = sendAt ? new Date(sendAt) : undefined;
        const outside = when && outsideScheduleWindow(when, now());
        if (outside)
          return reply.code(400).send({
            error: 'validation',
            details: [{ path: 'sendAt', message: outside }],
          });
        const created = await deps.service.create({ ...rest, sendAt: when }, actorName(req));
        return reply.code(201).send(created);
      },
    );

    app.post(
      '/api/admin/campaigns/preview',
      {
        onRequest: admin,
        schema: {
          tags,
          security,
          summary: 'How each channel will show both languages (nothing is saved or sent)',
          body: z
            .object({
              message: z
                .object({ 'zh-CN': z.string().max(10_000), bo: z.string().max(10_000) })
                .strict(),
              channels: list(CHANNEL),
            })
            .strict(),
        },
      },
      async (req) => deps.service.preview(req.body.message, req.body.channels),
    );

    app.get(
      '/api/admin/campaigns',
      {
        onRequest: reader,
        schema: {
          tags,
          security,
          summary: 'Campaigns, newest first, with their live stats',
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(100).default(20),
            cursor: z
              .string()
              .regex(/^[0-9a-f]{24}$/i)
              .optional(),
          }),
        },
      },
      async (req) => deps.service.list(req.query.limit, req.query.cursor),
    );

    app.get(
      '/api/admin/campaigns/:id',
      {
        onRequest: reader,
        schema: { tags, security, summary: 'A campaign and its live stats', params: idParams },
      },
      async (req) => deps.service.get(req.params.id),
    );

    app.post(
      '/api/admin/campaigns/:id/approve',
      {
        onRequest: admin,
        schema: { tags, security, summary: 'Approve (a second administrator)', params: idParams },
      },
      async (req) => deps.service.approve(req.params.id, actorName(req)),
    );

    app.post(
      '/api/admin/campaigns/:id/cancel',
      {
        onRequest: admin,
        schema: {
          tags,
          security,
          summary: 'Cancel: the sends not yet made stop',
          params: idParams,
        },
      },
      async (req) => deps.service.cancel(req.params.id, actorName(req)),
    );

    app.post(
      '/api/admin/campaigns/:id/test',
      {
        onRequest: admin,
        schema: {
          tags,
          security,
          summary: "Send both languages, marked as a test, to the administrator's own chat",
          params: idParams,
          body: z
            .object({
              channel: CHANNEL,
              address: z
                .string()
                .trim()
                .min(1)
                .max(128)
                .regex(/^[\w@.:-]+$/, 'expected a chat id'),
            })
            .strict(),
        },
      },
      async (req) => deps.service.test(req.params.id, actorName(req), req.body),
    );
  };
}
