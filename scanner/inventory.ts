// The inventory API reports use: one file under the data directory, opened per call.
import { join } from 'node:path';
import { openInventoryStore, type ImportantDataNotification, type IndividualEstimate, type InventoryChanges, type InventoryEntry, type InventoryStore } from './sqlite/inventory-store.js';

/** The inventory file inside a data directory. */
export const inventoryPath = (dataDir: string): string => join(dataDir, 'inventory.db');

/**
 * Opens the inventory of a data directory (creating it on first use). Close it when done.
 *
 * @example const inv = openInventory('./custos-data'); inv.record(report); inv.close();
 */
export const openInventory = (dataDir: string): InventoryStore => openInventoryStore(inventoryPath(dataDir));

const withInventory = <T>(dataDir: string, fn: (store: InventoryStore) => T): T => {
  const store = openInventory(dataDir);
  try {
    return fn(store);
  } finally {
    store.close();
  }
};

/**
 * The latest findings of every source scanned into this data directory.
 *
 * @example latestInventory('./custos-data').filter((e) => e.classification.piClass === 'SPI')
 */
export const latestInventory = (dataDir: string): readonly InventoryEntry[] => withInventory(dataDir, (s) => s.latest());

/**
 * What the most recent scan found that its sources' previous scans did not (and vice versa).
 *
 * @example inventoryChanges('./custos-data').added.length
 */
export const inventoryChanges = (dataDir: string): InventoryChanges => withInventory(dataDir, (s) => s.changesSincePrevious());

/**
 * Distinct individuals per direct-identifier type (exact up to the bound, then HyperLogLog with
 * ≈ 0.81 % relative standard error), for the PIPL 1 M / 10 M thresholds.
 *
 * @example Math.max(...individualEstimates('./custos-data').map((e) => e.union.value))
 */
export const individualEstimates = (dataDir: string): readonly IndividualEstimate[] => withInventory(dataDir, (s) => s.individualEstimates());

/**
 * Records that a finding's data was notified or published as important data; the inventory
 * then reports `dslTier: "important"` with the reference (the scanner itself only ever says
 * `importantCandidate`).
 *
 * @example recordImportantData('./custos-data', { source: 'his.db', location: 'genetic_tests.variant', piType: 'geneticData', reference: '国卫办〔2026〕1号', recordedAt: new Date().toISOString() })
 */
export const recordImportantData = (dataDir: string, notification: ImportantDataNotification): void =>
  withInventory(dataDir, (s) => s.recordImportantData(notification));

export type { ImportantDataNotification, IndividualEstimate, InventoryChanges, InventoryEntry, InventoryStore };
