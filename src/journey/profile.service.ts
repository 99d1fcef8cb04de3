import mongoose, { type Connection } from 'mongoose';
import type { ConsentScope, ProfileField } from '../engine/flow.schema.js';
import type { Sealer } from '../lib/sealed.js';
import { splitText } from '../lib/split-text.js';
import type { Lang } from '../messaging/lang.js';
import {
  personModels,
  type AssessmentDoc,
  type ConsentRecord,
  type PersonDoc,
  type ProfileDoc,
} from '../people/person.model.js';

/** The consent texts' versions (locales `intake:consent.*`): a new text gets a new number. */
export const CONSENT_VERSION: Readonly<Record<ConsentScope, number>> = {
  profile: 1,
  sensitive: 1,
};

/** The intake's answers that are sensitive (sealed at rest, separate consent). */
export const SENSITIVE_FIELDS = ['disability', 'health'] as const;
export type SensitiveField = (typeof SENSITIVE_FIELDS)[number];
const isSensitive = (f: ProfileField): f is SensitiveField =>
  (SENSITIVE_FIELDS as readonly string[]).includes(f);

/** Plain profile fields kept under `profile` (district and categories sit on the person). */
const PLAIN: ReadonlySet<string> = new Set([
  'ageGroup',
  'skills',
  'wantedWork',
  'languages',
  'contact',
]);

/** The longest free-text answer kept (skills, wanted work). */
export const MAX_ANSWER = 500;

export type SaveOutcome = 'saved' | 'no-consent' | 'no-key' | 'invalid';

/** What is held about a person, readable (sensitive fields opened), for /mydata and the ledger. */
export interface ProfileView {
  personId: string;
  language: Lang | null;
  createdAt: Date;
  lastSeenAt: Date;
  outreachOptOut: boolean;
  counsellorId: string | null;
  consent: { profile: ConsentRecord | null; sensitive: ConsentRecord | null };
  district: string | null;
  categories: string[];
  profile: ProfileDoc;
  /** Opened; a value no configured key opens shows as null. */
  sensitive: Partial<Record<SensitiveField, string | null>>;
  assessment: AssessmentDoc | null;
  /** The action plan's steps (count and how many are done). */
  plan: { steps: number; done: number };
  employment: { at: Date; employer?: string; work?: string } | null;
}

export interface ProfileService {
  /** Whether sensitive answers can be kept (DATA_KEY is set). */
  readonly sealsSensitive: boolean;
  /**
   * Gives or withdraws consent. Withdrawing the profile consent removes the profile (and the
   * sensitive part with it); withdrawing the sensitive consent removes the sensitive fields.
   */
  consent(personId: string, scope: ConsentScope, given: boolean, now: Date): Promise<void>;
  consentOf(personId: string): Promise<ProfileView['consent']>;
  /** Stores one answer, if the person consented (sensitive ones: sealed, with their consent). */
  set(personId: string, field: ProfileField, value: string, add?: boolean): Promise<SaveOutcome>;
  intakeAt(personId: string, node: string): Promise<void>;
  intakeDone(personId: string, now: Date): Promise<void>;
  saveAssessment(personId: string, result: Omit<AssessmentDoc, 'at'>, now: Date): Promise<boolean>;
  view(personId: string): Promise<ProfileView | null>;
  /** What a counsellor may see with a case: only what the person consented to. */
  shared(personId: string): Promise<Record<string, unknown>>;
}

export function createProfileService(conn: Connection, sealer: Sealer | null): ProfileService {
  const { Person } = personModels(conn);
  const valid = (id: string) => mongoose.Types.ObjectId.isValid(id);
  // Control characters go (a line break or a tab stays); a long answer is cut at a safe place,
  // never inside a Tibetan stack.
  const clean = (v: string) => {
    const text = v.replace(/(?![\n\t])\p{Cc}/gu, '').trim();
    return text.length > MAX_ANSWER ? (splitText(text, MAX_ANSWER)[0] ?? '').trim() : text;
  };

  async function load(personId: string): Promise<PersonDoc | null> {
    return valid(personId) ? Person.findById(personId).lean() : null;
  }

  const service: ProfileService = {
    sealsSensitive: sealer !== null,
    async consent(personId, scope, given, now) {
      if (!valid(personId)) return;
      const version = CONSENT_VERSION[scope];
      const record = given ? { version, at: now } : null;
      const $set: Record<string, unknown> = { [`consent.${scope}`]: record };
      const $unset: Record<string, ''> = {};
      if (!given) {
        $unset.sensitive = '';
        if (scope === 'profile') {
          // Nothing profiled stays once the person withdraws: the profile, the sensitive part
          // (and its consent), the self-assessment, the plan and employment record (their
          // queued reminders then find no consent and say nothing), and the audience fields.
          $set['consent.sensitive'] = null;
          for (const f of ['profile', 'assessment', 'district', 'categories', 'plan', 'employment'])
            $unset[f] = '';
        }
      }
      await Person.updateOne(
        { _id: personId },
        {
          $set,
          ...(Object.keys($unset).length > 0 ? { $unset } : {}),
          $push: { consentLog: { scope, given, version, at: now } },
        },
      );
    },
    async consentOf(personId) {
      const doc = await load(personId);
      return { profile: doc?.consent?.profile ?? null, sensitive: doc?.consent?.sensitive ?? null };
    },
    async set(personId, field, raw, add) {
      const value = clean(raw);
      if (!valid(personId) || value.length === 0) return 'invalid';
      const consent = await service.consentOf(personId);
      if (!consent.profile) return 'no-consent';
      if (isSensitive(field)) {
        if (!consent.sensitive) return 'no-consent';
        if (!sealer) return 'no-key';
        const sealed = sealer.seal(value, sealContext(personId, field));
        await Person.updateOne({ _id: personId }, { $set: { [`sensitive.${field}`]: sealed } });
        return 'saved';
      }
      if (field === 'district') {
        await Person.updateOne({ _id: personId }, { $set: { district: value } });
      } else if (field === 'category') {
        await Person.updateOne(
          { _id: personId },
          add === false ? { $set: { categories: [value] } } : { $addToSet: { categories: value } },
        );
      } else if (PLAIN.has(field)) {
        await Person.updateOne({ _id: personId }, { $set: { [`profile.${field}`]: value } });
      } else return 'invalid';
      return 'saved';
    },
    async intakeAt(personId, node) {
      if (!valid(personId)) return;
      await Person.updateOne(
        { _id: personId, 'consent.profile': { $ne: null } },
        { $set: { 'profile.intakeAt': node } },
      );
    },
    async intakeDone(personId, now) {
      if (!valid(personId)) return;
      await Person.updateOne(
        { _id: personId, 'consent.profile': { $ne: null } },
        { $set: { 'profile.intakeDoneAt': now }, $unset: { 'profile.intakeAt': '' } },
      );
    },
    async saveAssessment(personId, result, now) {
      if (!valid(personId)) return false;
      const res = await Person.updateOne(
        { _id: personId, 'consent.profile': { $ne: null } },
        { $set: { assessment: { ...result, at: now } } },
      );
      return res.matchedCount > 0;
    },
    async view(personId) {
      const doc = await load(personId);
      return doc ? toView(doc, sealer) : null;
    },
    async shared(personId) {
      const v = await service.view(personId);
      if (!v?.consent.profile) return {};
      const { intakeAt: _at, ...profile } = v.profile;
      return {
        ...(v.district ? { district: v.district } : {}),
        ...(v.categories.length > 0 ? { categories: v.categories } : {}),
        ...profile,
        ...(v.assessment ? { assessment: { types: v.assessment.types } } : {}),
        ...(v.consent.sensitive ? v.sensitive : {}),
      };
    },
  };
  return service;
}

/** Sealed values are bound to their person and field (a copied value does not open). */
export const sealContext = (personId: string, field: string) => `people/${personId}/${field}`;

export function toView(doc: PersonDoc, sealer: Sealer | null): ProfileView {
  const id = doc._id.toHexString();
  const sensitive: ProfileView['sensitive'] = {};
  for (const f of SENSITIVE_FIELDS) {
    const sealed = doc.sensitive?.[f];
    if (sealed) sensitive[f] = sealer?.open(sealed, sealContext(id, f)) ?? null;
  }
  return {
    personId: id,
    language: doc.language ?? null,
    createdAt: doc.createdAt,
    lastSeenAt: doc.lastSeenAt,
    outreachOptOut: doc.outreachOptOut,
    counsellorId: doc.counsellorId ?? null,
    consent: { profile: doc.consent?.profile ?? null, sensitive: doc.consent?.sensitive ?? null },
    district: doc.district ?? null,
    categories: doc.categories ?? [],
    profile: doc.profile ?? {},
    sensitive,
    assessment: doc.assessment ?? null,
    plan: {
      steps: doc.plan?.length ?? 0,
      done: doc.plan?.filter((s) => s.doneAt).length ?? 0,
    },
    employment: doc.employment
      ? {
          at: doc.employment.at,
          ...(doc.employment.employer ? { employer: doc.employment.employer } : {}),
          ...(doc.employment.work ? { work: doc.employment.work } : {}),
        }
      : null,
  };
}
