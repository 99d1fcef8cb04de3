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
