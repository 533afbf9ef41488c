import type { McConfig } from '../../mcconfig.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { ClosedAdaptivePage } from './closed-adaptive.js';
import { ClosedPage } from './closed.js';
import { OpenAdaptivePage } from './open-adaptive.js';
import { OpenPage } from './open.js';
import type { PagePolicy } from './page-policy.js';

export type { PagePolicy };

export const PAGE_POLICIES: Record<McConfig['PagePolicy'], (scheduler: Scheduler) => PagePolicy> = {
  Open: () => new OpenPage(),
  OpenAdaptive: (s) => new OpenAdaptivePage(s),
  Closed: () => new ClosedPage(),
  ClosedAdaptive: (s) => new ClosedAdaptivePage(s),
};
