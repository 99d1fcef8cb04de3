import { Schema, type Connection, type Model } from 'mongoose';

/** One administrative action: who did what to which object, and when. */
export interface AuditEntry {
  at: Date;
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

const auditSchema = new Schema<AuditEntry>(
  {
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    target: { type: String, required: true },
    details: { type: Schema.Types.Mixed },
  },
  { collection: 'audit_log', versionKey: false },
);
// Audit trail of one object, newest first.
auditSchema.index({ target: 1, at: -1 });

export interface AuditRepo {
  record(entry: AuditEntry): Promise<void>;
  forTarget(target: string, limit?: number): Promise<AuditEntry[]>;
}

export function createAuditRepo(conn: Connection): AuditRepo {
  const Audit =
    (conn.models.Audit as Model<AuditEntry> | undefined) ??
    conn.model<AuditEntry>('Audit', auditSchema);
  return {
    async record(entry) {
      await Audit.create(entry);
    },
    async forTarget(target, limit = 50) {
      return Audit.find({ target }, { _id: 0 }).sort({ at: -1 }).limit(limit).lean();
    },
  };
}
