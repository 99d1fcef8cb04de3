import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Lang } from '../messaging/lang.js';

/** A person the service talks to, across channels. Profile fields arrive with later issues. */
export interface PersonDoc {
  _id: Types.ObjectId;
  language: Lang | null;
  outreachOptOut: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  /** Audience fields outreach can select on (the intake of the journey issue fills them). */
  district?: string | null;
  categories?: string[];
  tags?: string[];
  /** The person's own counsellor (account id), kept once assigned. */
  counsellorId?: string | null;
  /** What the person agreed to, now (null: not given or withdrawn), and every change since. */
  consent?: { profile?: ConsentRecord | null; sensitive?: ConsentRecord | null };
  consentLog?: ConsentEvent[];
  /** The intake's answers (only with consent); `district` and `categories` live above. */
  profile?: ProfileDoc;
  /** Sensitive answers, each sealed with DATA_KEY (AES-256-GCM; the key id is in the value). */
  sensitive?: { disability?: string; health?: string };
  /** The self-assessment's result (standard 6). */
  assessment?: AssessmentDoc;
  /** The action plan (standard 7.1(4)): steps with dates and reminders (only with consent). */
  plan?: PlanStepDoc[];
  /** "I found a job" (standard 7.2(6)) and the follow-ups after it (only with consent). */
  employment?: EmploymentDoc;
}

export interface ConsentRecord {
  version: number;
  at: Date;
}
export interface ConsentEvent {
  scope: 'profile' | 'sensitive';
  given: boolean;
  version: number;
  at: Date;
}
export interface ProfileDoc {
  ageGroup?: string;
  skills?: string;
  wantedWork?: string;
  languages?: string;
  contact?: string;
  /** Where an unfinished intake stopped (a flow node), so the person can come back to it. */
  intakeAt?: string;
  intakeDoneAt?: Date;
}
export interface AssessmentDoc {
  /** The strongest interest types (RIASEC letters), strongest first. */
  types: string[];
  scores: Record<string, number>;
  at: Date;
}

/** One step of the action plan, in the person's (or their counsellor's) words. */
export interface PlanStepDoc {
  /** 12 hex characters, unique within the person's plan (job id `plan-<personId>-<id>`). */
  id: string;
  /** At most 200 characters, no control characters. */
  text: string;
  /** When it is due: the reminder goes then (quiet hours hold it). */
  due: Date;
  createdAt: Date;
  by: 'person' | 'counsellor';
  /** The counsellor's user name, when one added it. */
  createdBy?: string;
  remindedAt?: Date | null;
  doneAt?: Date | null;
  /** The last "not yet" answer to the reminder. */
  notYetAt?: Date | null;
}

/** What the person said when they found work; `at` is when (the ledger reads it as placed). */
export interface EmploymentDoc {
  at: Date;
  employer?: string;
  work?: string;
  /** A coarse start: this week, this month, earlier. */
  startedAt?: 'this-week' | 'this-month' | 'earlier';
  /** The answers to "are you still in this job?" at one and three months. */
  followups: EmploymentFollowupDoc[];
  /** When each follow-up question went out (the once-only guard of its job). */
  askedAt?: { m1?: Date; m3?: Date };
}
export interface EmploymentFollowupDoc {
  at: Date;
  months: 1 | 3;
  answer: 'still' | 'left' | 'help';
}

/** One channel identity (`telegram:123`, `web:<sid>`) pointing at a person; /link adds more. */
export interface IdentityDoc {
  _id: string;
  personId: Types.ObjectId;
  channel: string;
  createdAt: Date;
  /** Since when nothing can reach the person here (unfollowed the WeChat account); null: reachable. */
  unreachableSince?: Date | null;
}

const personSchema = new Schema<PersonDoc>(
  {
    language: { type: String, enum: ['zh-CN', 'bo', null], default: null },
    outreachOptOut: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    district: { type: String, default: undefined },
    categories: { type: [String], default: undefined },
    tags: { type: [String], default: undefined },
    counsellorId: { type: String, default: undefined },
    consent: { type: Schema.Types.Mixed, default: undefined },
    consentLog: { type: [Schema.Types.Mixed], default: undefined },
    profile: { type: Schema.Types.Mixed, default: undefined },
    sensitive: { type: Schema.Types.Mixed, default: undefined },
    assessment: { type: Schema.Types.Mixed, default: undefined },
    plan: { type: [Schema.Types.Mixed], default: undefined },
    employment: { type: Schema.Types.Mixed, default: undefined },
  },
  { collection: 'people', versionKey: false },
);

const identitySchema = new Schema<IdentityDoc>(
  {
    _id: { type: String, required: true },
    personId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    createdAt: { type: Date, required: true },
    unreachableSince: { type: Date, default: null },
  },
  { collection: 'identities', versionKey: false },
);
// All identities of a person (for /mydata, /delete and outreach per channel).
identitySchema.index({ personId: 1 });

export function personModels(conn: Connection): {
  Person: Model<PersonDoc>;
  Identity: Model<IdentityDoc>;
} {
  return {
    Person:
      (conn.models.Person as Model<PersonDoc> | undefined) ??
      conn.model<PersonDoc>('Person', personSchema),
    Identity:
      (conn.models.Identity as Model<IdentityDoc> | undefined) ??
      conn.model<IdentityDoc>('Identity', identitySchema),
  };
}
