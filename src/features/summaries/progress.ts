/**
 * The plan of a long summary, as people see it while it is written: read the conversation,
 * summarize it part by part, write the summary. Plain data; the listener shows it privately
 * (ephemeral lines through response_url), a public summary streams it as Slack's task chunks.
 */
import type { PlanTask } from '../../slack/write/plan-stream.js';
import { type SummaryTexts, TEXTS } from '../language.js';

export type { PlanTask };

/** What changed, handed to whoever shows the plan; `tasks` is the whole plan after the change. */
export interface PlanChange {
  tasks: readonly PlanTask[];
  changed: readonly PlanTask[];
  /** Worth a private line: response_url allows only five, so part updates are sparse. */
  milestone: boolean;
}

/**
 * The tasks of one summary: `read`, `parts` (only when the history needs several calls), `write`.
 * Each step tells `onChange`.
 */
export class SummaryPlan {
  private readonly tasks = new Map<string, PlanTask>();
  private partsTotal = 0;
  private reported = 0;

  /** `t`: the words of the asker's language. */
  constructor(
    private readonly onChange: (c: PlanChange) => void,
    private readonly t: SummaryTexts = TEXTS.en.summaries,
  ) {
    this.tasks.set('read', { id: 'read', title: t.reading, status: 'in_progress' });
    this.tasks.set('write', { id: 'write', title: t.writing, status: 'pending' });
  }

  get all(): PlanTask[] {
    const order = ['read', 'parts', 'write'];
    return order.flatMap((id) => {
      const t = this.tasks.get(id);
      return t ? [t] : [];
    });
  }

  private set(task: PlanTask, milestone: boolean): void {
    this.tasks.set(task.id, task);
    this.onChange({ tasks: this.all, changed: [task], milestone });
  }

  /** The history is read; `details` is the coverage line. */
  read(messages: number, details?: string): void {
    const title = this.t.read(messages);
    this.set({ id: 'read', title, status: 'complete', ...(details ? { details } : {}) }, false);
  }

  /** `done` of `total` parts have their notes (called with 0 when the plan is known). */
  parts(done: number, total: number): void {
    if (total <= 1) return;
    this.partsTotal = total;
    if (done >= total) {
      this.set({ id: 'parts', title: this.t.summarizedParts(total), status: 'complete' }, false);
      return;
    }
    // Parts run side by side: the one "being summarized" is the next to finish.
    const title = this.t.summarizingPart(done + 1, total);
    // One private line when the plan is known, one near half way.
    const milestone = done === 0 || (this.reported < 2 && done >= Math.floor(total / 2));
    if (milestone) this.reported++;
    this.set({ id: 'parts', title, status: 'in_progress' }, milestone);
  }

  /** The last call, the one that writes the summary, has started. */
  writing(): void {
    if (this.partsTotal > 1 && this.tasks.get('parts')?.status !== 'complete')
      this.parts(this.partsTotal, this.partsTotal);
    this.set({ id: 'write', title: this.t.writing, status: 'in_progress' }, true);
  }

  done(): void {
    this.set({ id: 'write', title: this.t.wrote, status: 'complete' }, false);
  }

  /** The work stopped or failed: the task under way shows as an error. */
  failed(why: string): void {
    const current = this.all.find((t) => t.status === 'in_progress') ?? this.tasks.get('write');
    if (current) this.set({ ...current, status: 'error', output: why.slice(0, 256) }, false);
  }
}

const ICON: Record<PlanTask['status'], string> = {
  pending: ':white_circle:',
  in_progress: ':hourglass_flowing_sand:',
  complete: ':white_check_mark:',
  error: ':x:',
};

/** The plan as a private message: the task under way as text, every task in a context block. */
export function planLines(tasks: readonly PlanTask[]): { text: string; lines: string[] } {
  const current = tasks.find((t) => t.status === 'in_progress') ?? tasks.at(-1);
  return {
    text: current ? `${current.title}…` : '',
    lines: tasks.map((t) => `${ICON[t.status]} ${t.title}`),
  };
}
