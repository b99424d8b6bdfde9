import { watch, type FSWatcher } from 'node:fs';
import { isCustosError } from '../../lib/errors.js';
import { CustosError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { PolicyStatus } from '../types.js';
import type { SidecarMetrics } from './metrics.js';

/**
 * Reloads the policy set without a restart: load and validate the new set completely, then
 * swap it in with one assignment; a set that fails validation is rejected with every error,
 * logged, and the old set keeps serving. Reloads are serialised, so two file events cannot race.
 */
export interface PolicyReloader {
  /** Loads, validates and swaps; rejects with `ERR_PDP_POLICY_INVALID` (422) and its errors. */
  reload(trigger: 'admin' | 'file'): Promise<PolicyStatus>;
  /** Starts watching the policy folders; file events are debounced. */
  watch(dirs: readonly string[], debounceMs?: number): void;
  close(): void;
}

export interface PolicyReloaderOptions<Set> {
  /** Loads and validates the set; throws `ERR_POLICY_INVALID` with `details.errors`. */
  readonly load: () => Set;
  /** The atomic swap. */
  readonly use: (set: Set) => void;
  readonly status: () => PolicyStatus;
  readonly logger?: Logger;
  readonly metrics?: SidecarMetrics;
}

const describeErrors = (error: unknown): unknown[] => {
  const errors = isCustosError(error) ? error.details?.errors : undefined;
  if (Array.isArray(errors)) return errors.map((e) => (isCustosError(e) ? e.toJSON() : e));
  return isCustosError(error) ? [error.toJSON()] : [{ code: 'ERR_PDP_POLICY_INVALID', message: 'the policy set could not be loaded' }];
};

/**
 * @example
 * const reloader = createPolicyReloader({ load: () => loadPolicySet(dir), use: (s) => engine.usePolicySet(s), status: () => engine.status() });
 * reloader.watch([dir]);
 */
export const createPolicyReloader = <Set>(options: PolicyReloaderOptions<Set>): PolicyReloader => {
  const log = options.logger?.child({ module: 'pdp-reload' });
  let queue: Promise<unknown> = Promise.resolve();
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;

  const reloadNow = (trigger: 'admin' | 'file'): PolicyStatus => {
    const before = options.status().version;
    let set: Set;
    try {
      set = options.load();
    } catch (error) {
      const errors = describeErrors(error);
      options.metrics?.countReload(false);
      log?.warn({ trigger, errors: errors.length, keeping: before }, 'policy reload rejected; the previous policy set keeps serving');
      throw new CustosError('ERR_PDP_POLICY_INVALID', {
        message: `the new policy set is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}); policy ${before} keeps serving`,
        hint: 'fix the errors listed in `errors` and reload again; `custos policy validate` shows them too',
        details: { errors },
        cause: error,
      });
    }
    options.use(set);
    const status = options.status();
    options.metrics?.countReload(true);
    log?.info({ trigger, from: before, to: status.version, rules: status.rules }, 'policy reloaded');
    return status;
  };

  const reload = (trigger: 'admin' | 'file'): Promise<PolicyStatus> => {
    const next = queue.then(() => reloadNow(trigger));
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    reload,
    watch: (dirs, debounceMs = 200) => {
      for (const dir of dirs) {
        try {
          const watcher = watch(dir, { recursive: true, persistent: false }, () => {
            clearTimeout(timer);
            timer = setTimeout(() => {
              reload('file').catch(() => undefined);
            }, debounceMs);
          });
          watcher.on('error', () => log?.warn({ dir }, 'policy watch stopped'));
          watchers.push(watcher);
        } catch {
          log?.warn({ dir }, 'cannot watch the policy folder; reload with the admin endpoint');
        }
      }
    },
    close: () => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      watchers.length = 0;
    },
  };
};
