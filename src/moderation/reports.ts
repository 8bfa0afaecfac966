import { type Connection, type mongo, Types } from 'mongoose';

export const REPORTS_COLLECTION = 'reports';
/** Reports one account may file an hour. */
export const REPORTS_PER_HOUR = 10;

export interface Report {
  readonly _id: Types.ObjectId;
  readonly kind: 'post' | 'comment';
  readonly targetId: string;
  /** The post a reported comment is under (for the link in the queue). */
  readonly postId: string;
  readonly reason: string;
  readonly reporterId: string;
  readonly reporter: string;
  readonly createdAt: Date;
  /** Set when dismissed or dealt with (the comment hidden): closed reports leave the queue. */
  readonly closedAt?: Date;
  readonly closedBy?: string;
}

export function reportJson(r: Report) {
  return {
    id: String(r._id),
    kind: r.kind,
    targetId: r.targetId,
    postId: r.postId,
    reason: r.reason,
    reporter: r.reporter,
    createdAt: r.createdAt,
  };
}

/** Readers' reports of posts and comments, and the editors' queue of the open ones. */
export class Reports {
  constructor(
    private readonly connection: Connection,
    private readonly now: () => number,
  ) {}

  private get collection(): mongo.Collection<Report> {
    return this.connection.collection<Report>(REPORTS_COLLECTION);
  }

  /**
   * Files a report unless the reporter already filed REPORTS_PER_HOUR in the last hour; returns false then.
   * Counted from the reports themselves (every process sees them); a burst of concurrent reports may pass the
   * count together by a few, which costs nothing but a longer queue.
   */
  async file(input: Omit<Report, '_id' | 'createdAt' | 'closedAt' | 'closedBy'>): Promise<boolean> {
    const now = this.now();
    const recent = await this.collection.countDocuments({
      reporterId: input.reporterId,
      createdAt: { $gt: new Date(now - 3_600_000) },
    });
    if (recent >= REPORTS_PER_HOUR) return false;
    await this.collection.insertOne({ _id: new Types.ObjectId(), ...input, createdAt: new Date(now) });
    return true;
  }

  open(limit = 200): Promise<Report[]> {
    return this.collection
      .find({ closedAt: { $exists: false } })
      .sort({ createdAt: 1, _id: 1 })
      .limit(limit)
      .toArray();
  }

  /** Closes one open report; false when there is no such open report. */
  async dismiss(id: string, by: string): Promise<Report | null> {
    if (!Types.ObjectId.isValid(id) || !/^[a-f0-9]{24}$/i.test(id)) return null;
    return this.collection.findOneAndUpdate(
      { _id: new Types.ObjectId(id), closedAt: { $exists: false } },
      { $set: { closedAt: new Date(this.now()), closedBy: by } },
    );
  }

  async closeFor(kind: Report['kind'], targetId: string, by: string): Promise<void> {
    await this.collection.updateMany(
      { kind, targetId, closedAt: { $exists: false } },
      { $set: { closedAt: new Date(this.now()), closedBy: by } },
    );
  }

  aboutUser(userId: string) {
    return this.collection
      .find({ reporterId: userId }, { projection: { _id: 0, reporterId: 0, closedBy: 0 } })
      .toArray();
  }

  async forgetUser(userId: string): Promise<void> {
    await this.collection.deleteMany({ reporterId: userId });
  }
}
